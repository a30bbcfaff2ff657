import streamlit as st

st.title("2_cgan_explorer")
st.info("This lesson is being built.")
