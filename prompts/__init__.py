"""The prompt files (*.txt); installed inside the wheel as the package rag.prompts."""
