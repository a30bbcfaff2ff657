import streamlit as st

st.title("4_spam_filter")
st.info("This lesson is being built.")
