import streamlit as st

st.title("3_xy_game")
st.info("This lesson is being built.")
