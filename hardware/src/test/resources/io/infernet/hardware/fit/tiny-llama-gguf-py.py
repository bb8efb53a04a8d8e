# Writes the tiny-llama-gguf-py.gguf fixture with llama.cpp's own GGUF writer (gguf-py),
# so the header reader is tested against the reference implementation's output.
import sys, numpy as np
# Run with llama.cpp's gguf-py on the path (the pinned source has it under src/gguf-py):
#   PYTHONPATH=~/.cache/infernet/native/node-llama-cpp-3.22.1/src/gguf-py python3 tiny-llama-gguf-py.py OUT.gguf
import gguf
OUT = sys.argv[1] if len(sys.argv) > 1 else 'tiny-llama-gguf-py.gguf'
w = gguf.GGUFWriter(OUT, 'llama')
w.add_name('tiny-llama (gguf-py)')
w.add_block_count(2)
w.add_context_length(4096)
w.add_embedding_length(32)
w.add_feed_forward_length(64)
w.add_head_count(4)
w.add_head_count_kv(2)
w.add_rope_dimension_count(8)
w.add_layer_norm_rms_eps(1e-5)
w.add_tokenizer_model('llama')
w.add_token_list(['<unk>', '<s>', '</s>'] + [f'tok{i}' for i in range(29)])
w.add_token_scores([0.0]*32)
rng = np.random.default_rng(0)
total = 0
def t(name, shape, dtype=np.float32):
    global total
    a = rng.standard_normal(shape).astype(dtype)
    w.add_tensor(name, a)
    total += a.nbytes
t('token_embd.weight', (32, 32), np.float16)
for l in range(2):
    t(f'blk.{l}.attn_norm.weight', (32,))
    t(f'blk.{l}.attn_q.weight', (32, 32), np.float16)
    t(f'blk.{l}.attn_k.weight', (16, 32), np.float16)
    t(f'blk.{l}.attn_v.weight', (16, 32), np.float16)
    t(f'blk.{l}.attn_output.weight', (32, 32), np.float16)
    t(f'blk.{l}.ffn_norm.weight', (32,))
    t(f'blk.{l}.ffn_up.weight', (64, 32), np.float16)
    t(f'blk.{l}.ffn_gate.weight', (64, 32), np.float16)
    t(f'blk.{l}.ffn_down.weight', (32, 64), np.float16)
t('output_norm.weight', (32,))
t('output.weight', (32, 32), np.float16)
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
import os
r = gguf.GGUFReader(OUT)
print('file', os.path.getsize(OUT), 'data_offset', r.data_offset, 'data bytes', os.path.getsize(OUT) - r.data_offset, 'sum nbytes', total)
