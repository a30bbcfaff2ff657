import streamlit as st

st.title("1_mapping_1d")
st.info("This lesson is being built.")
