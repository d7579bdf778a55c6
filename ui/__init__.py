"""The Gradio chat page of rag (`rag ui`)."""
