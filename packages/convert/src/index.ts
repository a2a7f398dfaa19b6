/**
 * @packageDocumentation
 * Hugging Face safetensors/PyTorch checkpoints to GGUF, as llama.cpp converts them.
 */
export {};
