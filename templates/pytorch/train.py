"""Train an RNN Lab model with PyTorch, on one process or many (DistributedDataParallel).

Written by RNN Lab's "Export as PyTorch Project" (rnn-lab export-pytorch) from a template; the only
lines the exporter writes are the values between <rnnlab:values> and </rnnlab:values> below. It needs
PyTorch >= 1.13 and nothing else (on PyTorch 2.x, torch.onnx.export also needs the onnx package).

    python train.py DATA --out RUN_DIR [--steps N] [--resume]
    torchrun --standalone --nproc-per-node N train.py DATA --out RUN_DIR [--steps N] [--resume]

It builds the same model as RNN Lab (the same cells, vocabulary, tokenizer, data format, batching
with truncated BPTT, initialisation from the seed, optimizer, schedule and clipping) and writes an
RNN Lab run folder (config.rnnconfig, metrics.jsonl, run.json, model.onnx, checkpoint.pt) that RNN
Lab's Runs view, dashboard, sampling and labels open unchanged. README.md beside it says more.

Sections: exported values · random numbers · tokenizer · data · batches · model · weights in RNN
Lab's layout · optimizer · run folder · training · main.
Shapes: T = time steps, B = batch, V = vocabulary, E = embedding, H = hidden, D = directions,
G = gates, I = a layer's input width, C = head outputs, L = layers.
"""
import argparse
import copy
import io
import json
import math
import os
import re
import socket
import struct
import sys
import time
import unicodedata
import warnings

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

# <rnnlab:values>
CONFIG = None   # the .rnnconfig (every default filled in, task resolved)
START = None    # "start": begin from the run in start.json + start.bin beside this file; None: from the seed
SOURCE = None   # where the export came from (informative)
# </rnnlab:values>

HERE = os.path.dirname(os.path.abspath(__file__))


class InputError(Exception):
    """Bad input: a message naming the file (and line) and what was expected; exit code 2."""


# ---------------------------------------------------------------------------------------------
# Random numbers: RNN Lab's xoshiro128** (src/engine/rng.ts), bit for bit, so the same seed gives
# the same initial weights and the same shuffles. Streams: 0 init, 2 data order, 7 validation split.

M32 = 0xFFFFFFFF
INIT_STREAM, DATA_STREAM, SPLIT_STREAM = 0, 2, 7


def _rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


def _splitmix32(x):
    x = (x + 0x9E3779B9) & M32
    z = ((x ^ (x >> 16)) * 0x85EBCA6B) & M32
    z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
    return z ^ (z >> 16)


class Rng:
    def __init__(self, seed, stream=0):
        x = (seed & M32) ^ (((stream + 1) * 0x632BE5AB) & M32)
        s = []
        for _ in range(4):
            x = (x + 0x9E3779B9) & M32
            s.append(_splitmix32(x))
        if not any(s):
            s[0] = 1
        self.s, self.spare = s, None

    def next_uint32(self):
        s0, s1, s2, s3 = self.s
        result = (_rotl((s1 * 5) & M32, 7) * 9) & M32
        t = (s1 << 9) & M32
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        self.s = [s0, s1, s2, _rotl(s3, 11)]
        return result

    def uniform(self):
        return self.next_uint32() / 4294967296.0

    def uniform_in(self, low, high):
        return low + (high - low) * self.uniform()

    def normal(self):
        if self.spare is not None:
            value, self.spare = self.spare, None
            return value
        u1 = 1 - self.uniform()
        u2 = self.uniform()
        radius = math.sqrt(-2 * math.log(u1))
        angle = 2 * math.pi * u2
        self.spare = radius * math.sin(angle)
        return radius * math.cos(angle)

    def int(self, n):
        limit = 4294967296 - (4294967296 % n)
        while True:
            draw = self.next_uint32()
            if draw < limit:
                return draw % n

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.int(i + 1)
            items[i], items[j] = items[j], items[i]
        return items

    def state(self):
        return {'s': list(self.s), 'spare': self.spare}

    def set_state(self, state):
        self.s, self.spare = [int(w) & M32 for w in state['s']], state['spare']


# ---------------------------------------------------------------------------------------------
# Tokenizer: RNN Lab's rules (src/pipeline/tokenizer.ts). Char level: Unicode code points, \r\n and
# \r are one "\n". Word level: letters, marks, digits and _ with inner apostrophes, else one code
# point that is not white space; a line break is <eos>. Ids 0..2 are <pad>, <unk>, <eos>.

PAD, UNK, EOS = 0, 1, 2
SPECIAL_TOKENS = ['<pad>', '<unk>', '<eos>']
# JavaScript's \s (and String.prototype.trim), which differs from Python's str.isspace.
JS_SPACE = '\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a' \
           '\u2028\u2029\u202f\u205f\u3000\ufeff'
_word_piece = None


def js_trim(s):
    return s.strip(JS_SPACE)


def _word_pattern():
    """[\\p{L}\\p{M}\\p{N}_]+(?:['’][\\p{L}\\p{M}\\p{N}_]+)*|\\r\\n|\\r|\\n|[^\\s] with JavaScript's classes."""
    global _word_piece
    if _word_piece is None:
        ranges, start = [], None
        for cp in range(0x110000 + 1):
            inside = cp < 0x110000 and unicodedata.category(chr(cp))[0] in 'LMN'
            if inside and start is None:
                start = cp
            elif not inside and start is not None:
                ranges.append('\\U%08x-\\U%08x' % (start, cp - 1))
                start = None
        word = '[' + ''.join(ranges) + '_]'
        space = ''.join('\\U%08x' % ord(c) for c in JS_SPACE)
        _word_piece = re.compile(f"{word}+(?:['\u2019]{word}+)*|\r\n|\r|\n|[^{space}]")
    return _word_piece


def pieces(kind, text, lowercase):
    """The token texts of `text`: line breaks as "\\n", words lowercased when asked (word level only)."""
    if kind == 'char':
        return list(text.replace('\r\n', '\n').replace('\r', '\n'))
    out = []
    for m in _word_pattern().finditer(text):
        raw = m.group(0)
        out.append('\n' if raw in ('\n', '\r', '\r\n') else raw.lower() if lowercase else raw)
    return out


def utf16_key(s):
    """JavaScript compares strings by UTF-16 code units; big-endian UTF-16 bytes sort the same way."""
    return s.encode('utf-16-be', 'surrogatepass')


def vocab_from_counts(counts, min_count, max_vocab=0):
    """Specials, then tokens seen at least min_count times, most frequent first, ties by code units."""
    kept = [(t, n) for t, n in counts.items() if n >= min_count and t not in SPECIAL_TOKENS]
    kept.sort(key=lambda tn: (-tn[1], utf16_key(tn[0])))
    if max_vocab > 0:
        kept = kept[:max_vocab]
    return SPECIAL_TOKENS + [t for t, _ in kept]


class Tokenizer:
    def __init__(self, kind, lowercase, vocab):
        if vocab[:3] != SPECIAL_TOKENS:
            raise ValueError(f'tokenizer vocabulary must start with {", ".join(SPECIAL_TOKENS)}')
        self.kind, self.lowercase, self.vocab = kind, lowercase, list(vocab)
        self.index = {t: i for i, t in enumerate(self.vocab)}

    def id_of(self, piece):
        if piece == '\n' and self.kind == 'word':
            return EOS
        return self.index.get(piece, UNK)

    def encode(self, text):
        return [self.id_of(p) for p in pieces(self.kind, text, self.lowercase)]

    def spec(self):
        return {'kind': self.kind, 'lowercase': self.lowercase, 'vocab': self.vocab}


# ---------------------------------------------------------------------------------------------
# Data: the formats of RNN Lab's DESIGN.md (lm: any UTF-8 text; tag: token<TAB>label lines, a blank
# line between sequences; classify: label<TAB>text lines), read and split as src/pipeline/dataset.ts.

NEWLINE = b'\n'


def read_text(path):
    name = os.path.basename(path)
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except FileNotFoundError:
        raise InputError(f'{path}: no such file; expected a UTF-8 text file')
    except IsADirectoryError:
        raise InputError(f'{path}: is a folder; expected a text file')
    if not data:
        raise InputError(f'{name}: the file is empty; expected UTF-8 text')
    nul = data.find(b'\0')
    if nul >= 0:
        raise InputError(f'{name}:{data.count(NEWLINE, 0, nul) + 1}: binary data (a NUL byte at byte {nul}); expected UTF-8 text')
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError as e:
        raise InputError(f'{name}:{data.count(NEWLINE, 0, e.start) + 1}: not valid UTF-8 (near byte {e.start}); expected UTF-8 text')
    if not js_trim(text):
        raise InputError(f'{name}: the file holds only white space; expected UTF-8 text')
    return text


def split_lines(text):
    return re.split('\r\n|\r|\n', text)


def describe_fields(fields):
    if len(fields) == 1:
        return 'no TAB'
    empty = next((i for i, f in enumerate(fields) if js_trim(f) == ''), -1)
    return f'an empty field {empty + 1} of {len(fields)}' if empty >= 0 else f'{len(fields)} fields'


def parse_tagged(text, path):
    """[(tokens, labels, first line)]"""
    name, sequences, current = os.path.basename(path), [], None
    for i, raw in enumerate(split_lines(text)):
        if js_trim(raw) == '':
            current = None
            continue
        fields = raw.split('\t')
        if len(fields) != 2 or js_trim(fields[0]) == '' or js_trim(fields[1]) == '':
            raise InputError(f'{name}:{i + 1}: expected "token<TAB>label", got {describe_fields(fields)}')
        if current is None:
            current = ([], [], i + 1)
            sequences.append(current)
        current[0].append(js_trim(fields[0]))
        current[1].append(js_trim(fields[1]))
    if not sequences:
        raise InputError(f'{name}: no tagged sequences; expected "token<TAB>label" lines')
    return sequences


def parse_labelled(text, path):
    """[(label, text, line)]"""
    name, out = os.path.basename(path), []
    for i, raw in enumerate(split_lines(text)):
        if js_trim(raw) == '':
            continue
        tab = raw.find('\t')
        label = js_trim(raw[:tab]) if tab >= 0 else ''
        body = raw[tab + 1:] if tab >= 0 else ''
        if tab < 0 or label == '' or js_trim(body) == '':
            raise InputError(f'{name}:{i + 1}: expected "label<TAB>text", got {describe_fields(raw.split(chr(9)))}')
        out.append((label, body, i + 1))
    if not out:
        raise InputError(f'{name}: no examples; expected "label<TAB>text" lines')
    return out


def split_rows(rows, validation, seed, parse_file):
    """(train rows, validation rows, validation file): a seeded share held out, or a separate file."""
    if isinstance(validation, str):
        return rows, parse_file(validation), validation
    order = Rng(seed, SPLIT_STREAM).shuffle(list(range(len(rows))))
    held = min(len(rows) - 1, math.floor(len(rows) * validation + 0.5)) if len(rows) >= 2 else 0
    held_set = set(order[:held])
    return [r for i, r in enumerate(rows) if i not in held_set], [r for i, r in enumerate(rows) if i in held_set], ''


def sorted_labels(labels):
    """Numbers numerically ("0" < "1" < "10"), then text: close to RNN Lab's localeCompare(numeric)."""
    def key(label):
        return [(0, int(run), '') if run.isdigit() else (1, 0, run.casefold()) for run in re.findall(r'\d+|\D+', label)] + [(2, 0, label)]
    return sorted(set(labels), key=key)


def label_id(labels, label, path, line):
    try:
        return labels.index(label)
    except ValueError:
        known = ', '.join(f'"{lab}"' for lab in labels)
        raise InputError(f'{os.path.basename(path)}:{line}: unknown label "{label}"; the training data has {known}')


class Dataset:
    """task, tokenizer, labels; lm: train/validation as int64 id tensors; tag/classify: lists of examples
    (ids, labels) / (ids, label)."""

    def __init__(self, task, tokenizer, labels, train, validation):
        self.task, self.tokenizer, self.labels, self.train, self.validation = task, tokenizer, labels, train, validation


def prepare_dataset(config, train_path, validation, known):
    """known: {tokenizer, labels} of the run this script continues (None: learn them from the data)."""
    task, data = config['task'], config['data']
    lowercase = data['lowercase']

    def learn(kind, counted, as_given):
        if known:
            return Tokenizer(**known['tokenizer'])
        counts = {}
        for p in counted:
            p = p.lower() if as_given and lowercase else p
            counts[p] = counts.get(p, 0) + 1
        char = kind == 'char'
        return Tokenizer(kind, kind == 'word' and lowercase,
                         vocab_from_counts(counts, 1 if char else data['minCount'], 0 if char else data['maxVocab']))

    if task == 'lm':
        text = read_text(train_path)
        all_pieces = pieces(data['tokenizer'], text, lowercase)
        tokenizer = learn(data['tokenizer'], ['<eos>' if p == '\n' and data['tokenizer'] == 'word' else p for p in all_pieces], False)
        ids = torch.tensor([tokenizer.id_of(p) for p in all_pieces], dtype=torch.int64)
        if isinstance(validation, str):
            held_ids = torch.tensor(tokenizer.encode(read_text(validation)), dtype=torch.int64)
            return Dataset(task, tokenizer, [], ids, held_ids)
        held = math.floor(len(ids) * validation)
        if held >= 2:
            ids, held_ids = ids[:len(ids) - held], ids[len(ids) - held:]
        else:
            held_ids = None
        if len(ids) < 2:
            raise InputError(f'{os.path.basename(train_path)}: only {len(ids)} token(s); a language model needs at least 2 to train on')
        return Dataset(task, tokenizer, [], ids, held_ids)

    if task == 'tag':
        train, held, held_file = split_rows(parse_tagged(read_text(train_path), train_path), validation, config['training']['seed'],
                                            lambda f: parse_tagged(read_text(f), f))
        tokenizer = learn('word', [t for s in train for t in s[0]], True)
        labels = known['labels'] if known else (data['labels'] or sorted_labels([lab for s in train for lab in s[1]]))

        def encode(s, path):
            return ([tokenizer.id_of(t.lower() if lowercase else t) for t in s[0]], [label_id(labels, lab, path, s[2]) for lab in s[1]])
        return Dataset(task, tokenizer, labels, [encode(s, train_path) for s in train], [encode(s, held_file) for s in held])

    if task == 'classify':
        train, held, held_file = split_rows(parse_labelled(read_text(train_path), train_path), validation, config['training']['seed'],
                                            lambda f: parse_labelled(read_text(f), f))
        kind = data['tokenizer']
        tokenizer = learn(kind, [p for r in train for p in pieces(kind, r[1], lowercase) if not (kind == 'word' and p == '\n')], False)
        labels = known['labels'] if known else (data['labels'] or sorted_labels([r[0] for r in train]))

        def encode(r, path):
            ids = tokenizer.encode(r[1])
            if not ids:
                raise InputError(f'{os.path.basename(path)}:{r[2]}: the text has no tokens; expected "label<TAB>text"')
            return (ids, label_id(labels, r[0], path, r[2]))
        return Dataset(task, tokenizer, labels, [encode(r, train_path) for r in train], [encode(r, held_file) for r in held])

    raise InputError(f'task "{task}": this script trains lm, tag and classify')


def load_glove(path, tokenizer, table):
    """Pretrained vectors (GloVe text: `word v1 .. vE` a line) into the embedding rows (V, E) of known words."""
    name, E = os.path.basename(path), table.shape[1]
    wanted = {w: i for i, w in enumerate(tokenizer.vocab) if i >= len(SPECIAL_TOKENS)}
    seen = set()
    for n, raw in enumerate(read_text(path).split('\n'), start=1):
        line = raw.rstrip(JS_SPACE)
        if not line:
            continue
        fields = line.split(' ')
        if len(fields) != E + 1:
            raise InputError(f'{name}:{n}: expected a word and {E} numbers (model.embedding), got {len(fields) - 1} numbers')
        word = fields[0].lower() if tokenizer.lowercase else fields[0]
        i = wanted.get(word)
        if i is None or i in seen:
            continue
        try:
            table[i] = torch.tensor([float(v) for v in fields[1:]], dtype=table.dtype)
        except ValueError:
            raise InputError(f'{name}:{n}: expected numbers after the word')
        seen.add(i)
    return len(seen)


# ---------------------------------------------------------------------------------------------
# Batches (src/pipeline/batching.ts). lm: the corpus cut into B contiguous streams, windows of T
# tokens, the state carried from window to window and reset when the streams wrap around.
# tag / classify: a seeded shuffle per epoch, B sequences per batch, padded, with lengths.
# Sharding, DistributedSampler-style: process r of N gets streams (or sequences) r, r+N, r+2N, ...
# of every global batch, and the loss is divided by the global batch's token count, so N processes
# compute the same loss and gradients as one.

class LmWindows:
    def __init__(self, ids, batch_size, sequence_length):
        usable = len(ids) - 1
        if usable < 1:
            raise InputError(f'the corpus has {len(ids)} token(s); a language model needs at least 2')
        self.B = max(1, min(batch_size, usable // min(sequence_length, usable)))
        self.stream_length = usable // self.B
        self.T = min(sequence_length, self.stream_length)
        self.windows_per_epoch = self.stream_length // self.T
        n = self.B * self.stream_length
        self.inputs = ids[:n].view(self.B, self.stream_length)          # (B, S)
        self.targets = ids[1:n + 1].view(self.B, self.stream_length)    # (B, S)
        self.position = 0

    def window(self, position, streams=None):
        """(tokens, targets) (T, B') of window `position`, streams given by index (None: all)."""
        cols = slice(position * self.T, (position + 1) * self.T)
        x, y = self.inputs[:, cols], self.targets[:, cols]
        if streams is not None:
            x, y = x[streams], y[streams]
        return x.t().contiguous(), y.t().contiguous()

    def next_position(self):
        """The window to train on next and whether this step ends an epoch."""
        p = self.position
        self.position = (p + 1) % self.windows_per_epoch
        return p, self.position == 0


class SequenceBatches:
    def __init__(self, examples, batch_size, rng):
        if not examples:
            raise InputError('no training examples')
        self.examples, self.batch_size, self.rng = examples, batch_size, rng
        self.order, self.next, self.epoch = [], 0, 0

    def next_batch(self):
        """The global batch (example indices) and whether it ends an epoch."""
        if self.next == 0:
            self.order = self.rng.shuffle(list(range(len(self.examples))))
        picked = self.order[self.next:self.next + self.batch_size]
        self.next += self.batch_size
        ended = self.next >= len(self.examples)
        if ended:
            self.next, self.epoch = 0, self.epoch + 1
        return picked, ended

    def cursor(self):
        return {'order': list(self.order), 'next': self.next, 'epoch': self.epoch}


def pad_batch(examples):
    """tokens (T, B) padded with <pad>, lengths (B), token targets (T, B) with -1 on padding, class labels (B)."""
    B, T = len(examples), max(len(e[0]) for e in examples)
    tokens = torch.full((T, B), PAD, dtype=torch.int64)
    tags = torch.full((T, B), -1, dtype=torch.int64)
    lengths = torch.tensor([len(e[0]) for e in examples], dtype=torch.int64)
    classes = torch.zeros(B, dtype=torch.int64)
    for b, (ids, target) in enumerate(examples):
        tokens[:len(ids), b] = torch.tensor(ids)
        if isinstance(target, list):
            tags[:len(ids), b] = torch.tensor(target)
        else:
            classes[b] = target
    return tokens, lengths, tags, classes


# ---------------------------------------------------------------------------------------------
# Model: embedding or one-hot input, L recurrent layers (each one or two directions, dropout between
# them), a dense head per step or, for classify, on the last layer's final states. torch.nn has
# LSTM, GRU (reset after, as PyTorch computes it) and RNN; the peephole LSTM and the GRU with the
# reset before the candidate's product (the notes', Cho et al.) are the two small modules below.
# They keep their weights in ONNX's layout, which is RNN Lab's (W (D, G*H, I), R (D, G*H, H),
# B (D, 2*G*H) = [Wb; Rb], P (D, 3H) = [Pi; Po; Pf]; gates LSTM i, o, f, c and GRU z, r, h), so
# torch.onnx.export writes them as standard LSTM (with P) and GRU (linear_before_reset=0) nodes.

def _absent(g):
    """An omitted optional ONNX input."""
    n = g.op('prim::Constant')
    n.setType(torch._C.OptionalType.ofTensor())
    return n


def _onnx_outputs(g, y, D, H):
    """ONNX's Y (T, D, B, H) as (T, B, D*H), the layout the module returns."""
    y = g.op('Transpose', y, perm_i=[0, 2, 1, 3])
    return g.op('Reshape', y, g.op('Constant', value_t=torch.tensor([0, 0, -1], dtype=torch.int64)))


def run_directions(step, x, lengths, state, D, H):
    """Unrolls `step(d, x_t, state_d) -> state_d` over T in D directions (direction 1 right to left).
    A padded step (t >= lengths[b]) keeps the state, so each sequence ends at its own length and the
    backward direction starts at its own last token. Returns out (T, B, D*H) and final states (D, B, H)."""
    T, B = x.shape[0], x.shape[1]
    valid = None if lengths is None else (torch.arange(T, device=x.device)[:, None] < lengths.to(x.device)[None, :])[..., None]
    outs, finals = [], []
    for d in range(D):
        s = tuple(part[d] for part in state)
        hs = [None] * T
        for t in (range(T) if d == 0 else range(T - 1, -1, -1)):
            new = step(d, t, s)
            s = new if valid is None else tuple(torch.where(valid[t], n, o) for n, o in zip(new, s))
            hs[t] = s[0]
        outs.append(torch.stack(hs))
        finals.append(s)
    out = torch.cat(outs, dim=2) if D == 2 else outs[0]
    return out, tuple(torch.stack([f[k] for f in finals]) for k in range(len(state)))


def peephole_lstm(x, W, R, Bias, P, lengths, state):
    """LSTM with peepholes, ONNX semantics: i, f see c<t-1>, o sees c<t>.
    i = σ(xWiᵀ + hRiᵀ + Pi⊙c + b)  f = σ(xWfᵀ + hRfᵀ + Pf⊙c + b)  c̃ = tanh(xWcᵀ + hRcᵀ + b)
    c' = f⊙c + i⊙c̃                 o = σ(xWoᵀ + hRoᵀ + Po⊙c' + b)   h' = o⊙tanh(c')"""
    D, H = W.shape[0], R.shape[2]
    xs = [torch.matmul(x, W[d].t()) + Bias[d, :4 * H] + Bias[d, 4 * H:] for d in range(D)]   # (T, B, 4H)

    def step(d, t, s):
        h, c = s
        gates = xs[d][t] + h @ R[d].t()
        gi, go, gf, gc = gates.chunk(4, dim=1)
        pi, po, pf = P[d].chunk(3)
        i = torch.sigmoid(gi + pi * c)
        f = torch.sigmoid(gf + pf * c)
        c_new = f * c + i * torch.tanh(gc)
        o = torch.sigmoid(go + po * c_new)
        return o * torch.tanh(c_new), c_new
    return run_directions(step, x, lengths, state, D, H)


def reset_before_gru(x, W, R, Bias, lengths, state):
    """GRU with the reset gate inside the candidate's input (ONNX linear_before_reset=0):
    z = σ(xWzᵀ + hRzᵀ + b)  r = σ(xWrᵀ + hRrᵀ + b)  ĥ = tanh(xWhᵀ + (r⊙h)Rhᵀ + Wbh + Rbh)  h' = (1-z)⊙ĥ + z⊙h"""
    D, H = W.shape[0], R.shape[2]
    xs = [torch.matmul(x, W[d].t()) + Bias[d, :3 * H] + Bias[d, 3 * H:] for d in range(D)]   # (T, B, 3H)

    def step(d, t, s):
        h, = s
        xz, xr, xh = xs[d][t].chunk(3, dim=1)
        rz = h @ R[d, :2 * H].t()
        z = torch.sigmoid(xz + rz[:, :H])
        r = torch.sigmoid(xr + rz[:, H:])
        candidate = torch.tanh(xh + (r * h) @ R[d, 2 * H:].t())
        return ((1 - z) * candidate + z * h,)
    return run_directions(step, x, lengths, state, D, H)


class _PeepholeLstmOnnx(torch.autograd.Function):
    """What torch.onnx.export writes for a PeepholeLSTM: one ONNX LSTM node with its P input."""
    @staticmethod
    def forward(ctx, x, W, R, Bias, P):
        B, D, H = x.shape[1], W.shape[0], R.shape[2]
        zeros = x.new_zeros(D, B, H)
        out, (h, c) = peephole_lstm(x, W, R, Bias, P, None, (zeros, zeros))
        return out, h, c

    @staticmethod
    def symbolic(g, x, W, R, Bias, P):
        D, H = W.type().sizes()[0], R.type().sizes()[2]
        y, h, c = g.op('LSTM', x, W, R, Bias, _absent(g), _absent(g), _absent(g), P, hidden_size_i=H,
                       direction_s='bidirectional' if D == 2 else 'forward', outputs=3)
        return _onnx_outputs(g, y, D, H), h, c


class _ResetBeforeGruOnnx(torch.autograd.Function):
    """What torch.onnx.export writes for a ResetBeforeGRU: one ONNX GRU node, linear_before_reset=0."""
    @staticmethod
    def forward(ctx, x, W, R, Bias):
        B, D, H = x.shape[1], W.shape[0], R.shape[2]
        out, (h,) = reset_before_gru(x, W, R, Bias, None, (x.new_zeros(D, B, H),))
        return out, h

    @staticmethod
    def symbolic(g, x, W, R, Bias):
        D, H = W.type().sizes()[0], R.type().sizes()[2]
        y, h = g.op('GRU', x, W, R, Bias, _absent(g), _absent(g), hidden_size_i=H, linear_before_reset_i=0,
                    direction_s='bidirectional' if D == 2 else 'forward', outputs=2)
        return _onnx_outputs(g, y, D, H), h


class PeepholeLSTM(nn.Module):
    """One layer of peephole LSTM, one or two directions; weights in ONNX layout and gate order."""

    def __init__(self, I, H, D):
        super().__init__()
        self.W = nn.Parameter(torch.zeros(D, 4 * H, I))
        self.R = nn.Parameter(torch.zeros(D, 4 * H, H))
        self.B = nn.Parameter(torch.zeros(D, 8 * H))
        self.P = nn.Parameter(torch.zeros(D, 3 * H))

    def forward(self, x, lengths=None, state=None):
        if torch.onnx.is_in_onnx_export():
            out, h, c = _PeepholeLstmOnnx.apply(x, self.W, self.R, self.B, self.P)
            return out, (h, c)
        if state is None:
            zeros = x.new_zeros(self.W.shape[0], x.shape[1], self.R.shape[2])
            state = (zeros, zeros)
        return peephole_lstm(x, self.W, self.R, self.B, self.P, lengths, state)


class ResetBeforeGRU(nn.Module):
    """One layer of GRU with the reset before the candidate's product; weights in ONNX layout and gate order."""

    def __init__(self, I, H, D):
        super().__init__()
        self.W = nn.Parameter(torch.zeros(D, 3 * H, I))
        self.R = nn.Parameter(torch.zeros(D, 3 * H, H))
        self.B = nn.Parameter(torch.zeros(D, 6 * H))

    def forward(self, x, lengths=None, state=None):
        if torch.onnx.is_in_onnx_export():
            out, h = _ResetBeforeGruOnnx.apply(x, self.W, self.R, self.B)
            return out, h
        if state is None:
            state = x.new_zeros(self.W.shape[0], x.shape[1], self.R.shape[2])
        out, (h,) = reset_before_gru(x, self.W, self.R, self.B, lengths, (state,))
        return out, h


class TorchRecurrent(nn.Module):
    """One layer of torch.nn.LSTM / GRU / RNN; padded batches go through pack_padded_sequence, so final
    states are at each sequence's own length (as RNN Lab's are)."""

    def __init__(self, cell, I, H, D, activation):
        super().__init__()
        kind = {'lstm': nn.LSTM, 'gru': nn.GRU, 'rnn': nn.RNN}[cell]
        extra = {'nonlinearity': activation} if cell == 'rnn' else {}
        self.rnn = kind(I, H, bidirectional=D == 2, **extra)

    def forward(self, x, lengths=None, state=None):
        if lengths is None:
            return self.rnn(x, state)
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), enforce_sorted=False)
        out, final = self.rnn(packed, state)
        return nn.utils.rnn.pad_packed_sequence(out, total_length=x.shape[0])[0], final


class RecurrentModel(nn.Module):
    def __init__(self, spec):
        super().__init__()
        self.spec = spec
        V, E, H, L = spec['vocabSize'], spec['embedding'], spec['hidden'], spec['layers']
        D = 2 if spec['bidirectional'] else 1
        self.embedding = nn.Embedding(V, E) if E > 0 else None
        if E == 0:
            self.register_buffer('onehot', torch.eye(V), persistent=False)   # ONNX: Gather from the identity
        layers = []
        for l in range(L):
            I = (E or V) if l == 0 else D * H
            if spec['cell'] == 'lstm' and spec['peephole']:
                layers.append(PeepholeLSTM(I, H, D))
            elif spec['cell'] == 'gru' and not spec['resetAfter']:
                layers.append(ResetBeforeGRU(I, H, D))
            else:
                layers.append(TorchRecurrent(spec['cell'], I, H, D, spec['activation']))
        self.layers = nn.ModuleList(layers)
        self.head = nn.Linear(D * H, spec['outputs'])

    def forward(self, tokens, lengths=None, state=None, dropout_masks=None):
        """tokens (T, B) → logits (T, B, C), or (B, C) many-to-one; and the final state of every layer.
        state: a list with one entry per layer (h (D, B, H), or (h, c) for lstm), None = zeros.
        dropout_masks: one (T, B, D*H) mask per layer below the top one (training), or None."""
        x = self.embedding(tokens) if self.embedding is not None else F.embedding(tokens, self.onehot)
        finals = []
        for l, layer in enumerate(self.layers):
            x, final = layer(x, lengths, None if state is None else state[l])
            finals.append(final)
            if dropout_masks is not None and l < len(self.layers) - 1:
                x = x * dropout_masks[l][:x.shape[0]]
        if self.spec['manyToOne']:
            h = finals[-1][0] if isinstance(finals[-1], tuple) else finals[-1]            # (D, B, H)
            x = torch.cat([h[d] for d in range(h.shape[0])], dim=1) if h.shape[0] == 2 else h[0]
        return self.head(x), finals


# ---------------------------------------------------------------------------------------------
# Weights in RNN Lab's layout (src/engine/spec.ts, src/engine/init.ts): one flat float32 buffer,
#   embedding (V, E), then per layer W (D, G*H, I), R (D, G*H, H), B (D, 2*G*H) [, P (D, 3H)],
#   then head.W (C, D*H), head.b (C).
# This is the one place where gate order is mapped: torch.nn's LSTM is i, f, g, o and its GRU r, z, n,
# where RNN Lab (and ONNX) use i, o, f, c and z, r, h. The peephole LSTM and reset-before GRU keep
# RNN Lab's layout, so theirs is a copy.

TORCH_FROM_ONNX = {'lstm': [0, 2, 3, 1], 'gru': [1, 0, 2], 'rnn': [0]}   # torch gate k = ONNX gate perm[k]


def rnnlab_layout(spec):
    """[(name, shape)] in buffer order."""
    D, H, V, E = 2 if spec['bidirectional'] else 1, spec['hidden'], spec['vocabSize'], spec['embedding']
    G = {'rnn': 1, 'gru': 3, 'lstm': 4}[spec['cell']]
    out = [('embedding', [V, E])] if E > 0 else []
    for l in range(spec['layers']):
        I = (E or V) if l == 0 else D * H
        out += [(f'layer{l}.W', [D, G * H, I]), (f'layer{l}.R', [D, G * H, H]), (f'layer{l}.B', [D, 2 * G * H])]
        if spec['cell'] == 'lstm' and spec['peephole']:
            out.append((f'layer{l}.P', [D, 3 * H]))
    return out + [('head.W', [spec['outputs'], D * H]), ('head.b', [spec['outputs']])]


def _gates(x, perm, H):
    return torch.cat([x[k * H:(k + 1) * H] for k in perm], dim=0)


def _torch_rnn_names(d):
    sfx = '_reverse' if d == 1 else ''
    return f'weight_ih_l0{sfx}', f'weight_hh_l0{sfx}', f'bias_ih_l0{sfx}', f'bias_hh_l0{sfx}'


def rnnlab_to_state_dict(model, flat):
    """A flat buffer in RNN Lab's layout (params, or an optimizer's moment buffer) → {parameter name: tensor}."""
    spec, H = model.spec, model.spec['hidden']
    G = {'rnn': 1, 'gru': 3, 'lstm': 4}[spec['cell']]
    parts, offset = {}, 0
    for name, shape in rnnlab_layout(spec):
        n = math.prod(shape)
        parts[name] = flat[offset:offset + n].reshape(shape)
        offset += n
    if offset != flat.numel():
        raise ValueError(f'the weights have {flat.numel()} values; this model needs {offset}')
    out = {'head.weight': parts['head.W'], 'head.bias': parts['head.b']}
    if spec['embedding'] > 0:
        out['embedding.weight'] = parts['embedding']
    for l, layer in enumerate(model.layers):
        W, R, Bias = parts[f'layer{l}.W'], parts[f'layer{l}.R'], parts[f'layer{l}.B']
        if not isinstance(layer, TorchRecurrent):
            out.update({f'layers.{l}.W': W, f'layers.{l}.R': R, f'layers.{l}.B': Bias})
            if isinstance(layer, PeepholeLSTM):
                out[f'layers.{l}.P'] = parts[f'layer{l}.P']
            continue
        perm = TORCH_FROM_ONNX[spec['cell']]
        for d in range(W.shape[0]):
            w_ih, w_hh, b_ih, b_hh = (f'layers.{l}.rnn.{n}' for n in _torch_rnn_names(d))
            out[w_ih], out[w_hh] = _gates(W[d], perm, H), _gates(R[d], perm, H)
            out[b_ih], out[b_hh] = _gates(Bias[d, :G * H], perm, H), _gates(Bias[d, G * H:], perm, H)
    return {k: v.clone() for k, v in out.items()}


def state_dict_to_rnnlab(model, tensors):
    """The inverse: {parameter name: tensor} (weights or gradients) → a flat buffer in RNN Lab's layout."""
    spec, H = model.spec, model.spec['hidden']
    inverse = {k: TORCH_FROM_ONNX[spec['cell']].index(k) for k in range(len(TORCH_FROM_ONNX[spec['cell']]))}
    onnx_perm = [inverse[k] for k in range(len(inverse))]
    parts = {'head.W': tensors['head.weight'], 'head.b': tensors['head.bias']}
    if spec['embedding'] > 0:
        parts['embedding'] = tensors['embedding.weight']
    for l, layer in enumerate(model.layers):
        if not isinstance(layer, TorchRecurrent):
            for k in ('W', 'R', 'B', 'P'):
                if f'layers.{l}.{k}' in tensors:
                    parts[f'layer{l}.{k}'] = tensors[f'layers.{l}.{k}']
            continue
        Ws, Rs, Bs = [], [], []
        for d in range(2 if spec['bidirectional'] else 1):
            w_ih, w_hh, b_ih, b_hh = (tensors[f'layers.{l}.rnn.{n}'] for n in _torch_rnn_names(d))
            Ws.append(_gates(w_ih, onnx_perm, H))
            Rs.append(_gates(w_hh, onnx_perm, H))
            Bs.append(torch.cat([_gates(b_ih, onnx_perm, H), _gates(b_hh, onnx_perm, H)]))
        parts[f'layer{l}.W'], parts[f'layer{l}.R'], parts[f'layer{l}.B'] = torch.stack(Ws), torch.stack(Rs), torch.stack(Bs)
    return torch.cat([parts[name].detach().reshape(-1).float().cpu() for name, _ in rnnlab_layout(spec)])


def rnnlab_init(spec, seed, orthogonal, forget_bias=0.0):
    """RNN Lab's initialisation, number for number: walking the layout with stream 0 of the seed,
    embedding N(0, 1); W, R, B U(-1/√H, 1/√H) (R orthogonal per gate block when asked); P zeros;
    head U(-1/√(D*H), 1/√(D*H)); an LSTM's forget_bias replaces Wb's f block (gates i, o, f, c)
    after the draw. Returns the flat float32 buffer."""
    rng = Rng(seed, INIT_STREAM)
    H = spec['hidden']
    D = 2 if spec['bidirectional'] else 1
    bound, head_bound = 1 / math.sqrt(H), 1 / math.sqrt(D * H)
    chunks = []
    for name, shape in rnnlab_layout(spec):
        n = math.prod(shape)
        kind = name.split('.', 1)[-1]
        if name == 'embedding':
            values = torch.tensor([rng.normal() for _ in range(n)], dtype=torch.float64)
        elif name.startswith('head.'):
            values = torch.tensor([rng.uniform_in(-head_bound, head_bound) for _ in range(n)], dtype=torch.float64)
        elif kind == 'P':
            values = torch.zeros(n, dtype=torch.float64)
        elif kind == 'R' and orthogonal:
            values = torch.cat([orthonormal_columns(torch.tensor([rng.normal() for _ in range(H * H)], dtype=torch.float64).view(H, H)).reshape(-1)
                                for _ in range(n // (H * H))])
        else:
            values = torch.tensor([rng.uniform_in(-bound, bound) for _ in range(n)], dtype=torch.float64)
        if kind == 'B' and spec['cell'] == 'lstm' and forget_bias:
            per_direction = values.view(D, 8 * H)
            per_direction[:, 2 * H:3 * H] = forget_bias
        chunks.append(values)
    return torch.cat(chunks).float()


def orthonormal_columns(a):
    """Modified Gram-Schmidt on the columns, twice (RNN Lab's orthonormalizeColumns): the Q of A = QR, diag(R) > 0."""
    a = a.clone()
    for _ in range(2):
        for j in range(a.shape[1]):
            for k in range(j):
                a[:, j] -= torch.dot(a[:, k], a[:, j]) * a[:, k]
            a[:, j] /= torch.sqrt(torch.dot(a[:, j], a[:, j]))
    return a


# ---------------------------------------------------------------------------------------------
# Optimizer, schedule and clipping: torch.optim (RNN Lab's optimizers follow its formulas term for
# term), RNN Lab's schedule (src/engine/schedule.ts) and clipping (src/engine/clip.ts).

def make_optimizer(training, params):
    t = training
    kind = t['optimizer']
    if kind == 'sgd':
        return torch.optim.SGD(params, lr=t['learningRate'], momentum=t['momentum'], nesterov=t['nesterov'], weight_decay=t['weightDecay'])
    if kind in ('adam', 'adamw'):
        cls = torch.optim.Adam if kind == 'adam' else torch.optim.AdamW
        return cls(params, lr=t['learningRate'], betas=(t['beta1'], t['beta2']), eps=1e-8, weight_decay=t['weightDecay'])
    if kind == 'rmsprop':
        return torch.optim.RMSprop(params, lr=t['learningRate'], alpha=0.99, eps=1e-8, momentum=t['momentum'], weight_decay=t['weightDecay'])
    if kind == 'adagrad':
        return torch.optim.Adagrad(params, lr=t['learningRate'], eps=1e-10, weight_decay=t['weightDecay'])
    raise InputError(f'training.optimizer "{kind}": expected sgd, adam, adamw, rmsprop or adagrad')


# RNN Lab's optimizer buffers → torch.optim state keys.
OPTIMIZER_STATE = {'sgd': {'velocity': 'momentum_buffer'}, 'adam': {'m': 'exp_avg', 'v': 'exp_avg_sq', 'vMax': 'max_exp_avg_sq'},
                   'rmsprop': {'squareAvg': 'square_avg', 'velocity': 'momentum_buffer', 'gradAvg': 'grad_avg'}, 'adagrad': {'sum': 'sum'}}
OPTIMIZER_STATE['adamw'] = OPTIMIZER_STATE['adam']


def load_optimizer_state(optimizer, model, kind, step_count, buffers):
    """RNN Lab's optimizer state (its flat buffers by name, step count) into torch.optim's per-parameter state."""
    named = dict(model.named_parameters())
    per_buffer = {OPTIMIZER_STATE[kind][name]: rnnlab_to_state_dict(model, flat) for name, flat in buffers.items()}
    for pname, p in named.items():
        state = {key: values[pname].to(p.device) for key, values in per_buffer.items()}
        if kind != 'sgd':
            state['step'] = torch.tensor(float(step_count))
        if state:
            optimizer.state[p] = state


def learning_rate(schedule, step):
    base, warmup = schedule['baseLr'], schedule.get('warmupSteps', 0) or 0
    if step < warmup:
        return base * (step + 1) / warmup
    s = step - warmup
    if schedule['kind'] == 'step':
        return base * schedule.get('gamma', 0.1) ** (s // schedule.get('stepSize', 1))
    if schedule['kind'] == 'cosine':
        low, span = schedule.get('minLr', 0), schedule.get('totalSteps', warmup + 1) - warmup
        return low if s >= span else low + (base - low) * (1 + math.cos(math.pi * s / span)) / 2
    return base


def schedule_for(training, total_steps):
    """The schedule RNN Lab builds from a config (src/pipeline/runSetup.ts)."""
    t = training
    return {'kind': t['schedule'], 'baseLr': t['learningRate'], 'warmupSteps': t['warmupSteps'], 'stepSize': t['decayEvery'],
            'gamma': t['decayFactor'], 'totalSteps': max(total_steps, t['warmupSteps'] + 1),
            'minLr': min(t['minLearningRate'], t['learningRate'])}


def clip_gradients(params, clip_norm, clip_value):
    """Global norm (float64, before clipping) and whether clipping changed the gradients."""
    grads = [p.grad for p in params if p.grad is not None]
    norm = math.sqrt(sum(float((g.double() ** 2).sum()) for g in grads))
    clipped = False
    if clip_norm > 0 and math.isfinite(norm) and norm > clip_norm:
        for g in grads:
            g.mul_(clip_norm / (norm + 1e-6))
        clipped = True
    if clip_value > 0:
        for g in grads:
            clipped = bool((g.abs() > clip_value).any()) or clipped
            g.clamp_(-clip_value, clip_value)
    return norm, clipped


# ---------------------------------------------------------------------------------------------
# The run folder (RNN Lab's format): every write atomic (a temp file, then rename).

def write_atomic(path, data):
    tmp = os.path.join(os.path.dirname(path), f'.{os.path.basename(path)}.{os.getpid()}.{int(time.time() * 1000):x}.tmp')
    with open(tmp, 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode('utf-8'))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def append_json_line(path, obj):
    with open(path, 'a', encoding='utf-8') as f:
        f.write(json.dumps(obj, ensure_ascii=False) + '\n')
        f.flush()


def _varint(n):
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number, payload):
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def with_metadata(model_bytes, metadata):
    """ModelProto bytes with metadata_props (field 14: StringStringEntryProto key = 1, value = 2) appended:
    a protobuf message may list a repeated field's entries anywhere, so appending them is a valid model."""
    extra = b''.join(_field(14, _field(1, k.encode()) + _field(2, v.encode())) for k, v in metadata.items())
    return model_bytes + extra


class ExportedGraph(nn.Module):
    """tokens (T, B) int64 → logits, probabilities: the graph RNN Lab imports."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, tokens):
        logits, _ = self.model(tokens)
        probs = torch.sigmoid(logits) if self.model.spec['head'] == 'sigmoid' else torch.softmax(logits, dim=-1)
        return logits, probs


def onnx_bytes(model, metadata):
    """model.onnx from torch.onnx.export (the TorchScript exporter), with RNN Lab's metadata."""
    graph = ExportedGraph(copy.deepcopy(model).cpu().float().eval())
    example = torch.zeros(3, 2, dtype=torch.int64)
    options = {'dynamo': False} if 'dynamo' in torch.onnx.export.__code__.co_varnames else {}
    buffer = io.BytesIO()
    logits_axes = {0: 'B'} if model.spec['manyToOne'] else {0: 'T', 1: 'B'}
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')   # the exporter's notes on tracing and batch sizes do not apply to this graph
        torch.onnx.export(graph, (example,), buffer, opset_version=14, input_names=['tokens'], output_names=['logits', 'probs'],
                          dynamic_axes={'tokens': {0: 'T', 1: 'B'}, 'logits': logits_axes, 'probs': logits_axes},
                          do_constant_folding=True, **options)
    return with_metadata(buffer.getvalue(), metadata)


def check_onnx_exporter():
    """torch.onnx.export's TorchScript exporter reads its output back with the onnx package on PyTorch 2.x."""
    if int(torch.__version__.split('.')[0]) >= 2:
        try:
            import onnx  # noqa: F401
        except ImportError:
            raise InputError(f'PyTorch {torch.__version__} writes model.onnx only with the onnx package: pip install onnx')


# ---------------------------------------------------------------------------------------------
# Training.

class Distributed:
    """This process's place: rank, world size, device; torchrun's environment, or one process."""

    def __init__(self, cpu):
        self.world = int(os.environ.get('WORLD_SIZE', '1'))
        self.rank = int(os.environ.get('RANK', '0'))
        local = int(os.environ.get('LOCAL_RANK', '0'))
        cuda = torch.cuda.is_available() and not cpu
        self.device = torch.device(f'cuda:{local}' if cuda else 'cpu')
        if cuda:
            torch.cuda.set_device(self.device)
        self.on = 'RANK' in os.environ and 'WORLD_SIZE' in os.environ
        if self.on:
            dist.init_process_group('nccl' if cuda else 'gloo')

    def sum(self, values):
        """Sum of a list of floats over all processes (float64)."""
        t = torch.tensor(values, dtype=torch.float64, device=self.device)
        if self.on:
            dist.all_reduce(t)
        return t.tolist()

    def broadcast_flag(self, flag):
        if not self.on:
            return flag
        t = torch.tensor([1 if flag else 0], device=self.device)
        dist.broadcast(t, 0)
        return bool(t.item())

    def gather(self, obj):
        if not self.on:
            return [obj]
        out = [None] * self.world
        dist.all_gather_object(out, obj)
        return out

    def close(self, finished):
        """Leave the process group. After a finished run every rank waits at a barrier first, so none
        tears down its connections while another (rank 0 writing the checkpoint and model.onnx) still
        holds them; after an error there is no barrier (the other ranks may never reach it)."""
        if self.on:
            if finished:
                dist.barrier()
            dist.destroy_process_group()


def dropout_masks(spec, p, seed, step, T, B, streams, device):
    """Inverted dropout masks (T, B', D*H) for the layers below the top one, drawn for the whole global
    batch from a generator seeded by (seed, step, layer) and sliced to this process's streams: the same
    masks for any number of processes, and nothing to save for a resume."""
    if p <= 0 or spec['layers'] < 2:
        return None
    DH = (2 if spec['bidirectional'] else 1) * spec['hidden']
    masks = []
    for l in range(spec['layers'] - 1):
        g = torch.Generator().manual_seed((seed * 1_000_003 + step * 131 + l) % (2 ** 63))
        keep = (torch.rand(T, B, DH, generator=g) >= p).float() / (1 - p)
        masks.append(keep[:, streams].to(device))
    return masks


def token_loss(spec, logits, targets, weight):
    """Σ of the per-token losses (softmax CE, or sigmoid CE summed over outputs and divided by C), masked
    where targets < 0; the caller divides by the global count."""
    C = spec['outputs']
    flat, y = logits.reshape(-1, C), targets.reshape(-1)
    valid = y >= 0
    if spec['head'] == 'sigmoid':
        onehot = F.one_hot(y.clamp(min=0), C).to(flat.dtype)
        per = F.binary_cross_entropy_with_logits(flat, onehot, reduction='none').sum(dim=1) / C
        return (per * valid).sum() * weight
    return F.cross_entropy(flat, y, ignore_index=-1, reduction='sum') * weight


class Feed:
    """The next global batch, this process's shard of it, and the cursor a checkpoint keeps."""

    def __init__(self, dataset, training, world, rank, device, cursor, data_rng):
        self.task, self.world, self.rank, self.device = dataset.task, world, rank, device
        if dataset.task == 'lm':
            self.windows = LmWindows(dataset.train, training['batchSize'], training['sequenceLength'])
            if self.windows.B < world:
                raise InputError(f'the batch has {self.windows.B} streams, fewer than the {world} processes; lower --nproc-per-node or raise training.batchSize')
            self.streams = list(range(rank, self.windows.B, world))
            if cursor:
                self.windows.position = cursor['lmPosition'] % self.windows.windows_per_epoch
        else:
            self.examples = dataset.train
            self.batches = SequenceBatches(dataset.train, training['batchSize'], data_rng)
            if cursor:
                self.batches.order, self.batches.next, self.batches.epoch = list(cursor['order']), cursor['next'], cursor['epoch']

    def cursor(self):
        return {'lmPosition': self.windows.position} if self.task == 'lm' else self.batches.cursor()

    def next(self):
        """{tokens, targets, lengths, count (what the loss is averaged over: the global batch's tokens, or
        sequences for classify), tokens_in_batch, reset, ended, T, B (global), streams, empty}."""
        if self.task == 'lm':
            position, ended = self.windows.next_position()
            x, y = self.windows.window(position, self.streams)
            w = self.windows
            return {'tokens': x.to(self.device), 'targets': y.to(self.device), 'lengths': None, 'count': w.T * w.B, 'tokens_in_batch': w.T * w.B,
                    'reset': position == 0, 'ended': ended, 'T': w.T, 'B': w.B, 'streams': self.streams}
        picked, ended = self.batches.next_batch()
        mine = picked[self.rank::self.world]
        examples = [self.examples[i] for i in picked]
        count = len(picked) if self.task == 'classify' else sum(len(e[0]) for e in examples)
        T = max(len(e[0]) for e in examples)
        empty = not mine
        tokens, lengths, tags, classes = pad_batch([self.examples[i] for i in mine] if mine else [examples[0]])
        return {'tokens': tokens.to(self.device), 'lengths': lengths, 'count': count, 'reset': True, 'ended': ended,
                'tokens_in_batch': sum(len(e[0]) for e in examples),
                'targets': (classes if self.task == 'classify' else tags).to(self.device), 'empty': empty,
                'T': T, 'B': len(picked), 'streams': list(range(self.rank, len(picked), self.world)) or [0]}


def evaluate(model, dataset, training, device):
    """Validation loss and accuracy as RNN Lab computes them (src/pipeline/evaluate.ts); one process."""
    spec = model.spec
    model.eval()
    with torch.no_grad():
        if dataset.task == 'lm':
            if dataset.validation is None or len(dataset.validation) < 2:
                return None
            windows = LmWindows(dataset.validation, training['batchSize'], training['sequenceLength'])
            count = min(windows.windows_per_epoch, 64)
            state, total = None, 0.0
            for w in range(count):
                x, y = windows.window(w)
                logits, state = model(x.to(device), state=state)
                total += float(F.cross_entropy(logits.reshape(-1, spec['outputs']), y.to(device).reshape(-1)))
            model.train()
            return {'loss': total / count}
        if not dataset.validation:
            return None
        loss_sum = weight = right = counted = 0.0
        B = training['batchSize']
        for i in range(0, len(dataset.validation), B):
            tokens, lengths, tags, classes = pad_batch(dataset.validation[i:i + B])
            logits, _ = model(tokens.to(device), lengths)
            if spec['manyToOne']:
                loss_sum += float(F.cross_entropy(logits, classes.to(device), reduction='sum'))
                weight += len(classes)
                right += float((logits.argmax(dim=1).cpu() == classes).sum())
                counted += len(classes)
            else:
                loss_sum += float(token_loss(spec, logits, tags.to(device), 1.0))
                real = int((tags >= 0).sum())
                weight += real
                right += float(((logits.argmax(dim=2).cpu() == tags) & (tags >= 0)).sum())
                counted += real
        model.train()
        return {'loss': loss_sum / weight, 'accuracy': right / counted}


def model_spec(config, dataset):
    m = config['model']
    if dataset.task == 'lm' and m['bidirectional']:
        raise InputError('model.bidirectional must be false for a language model (it would see the tokens it predicts)')
    if dataset.task != 'tag' and m['head'] == 'sigmoid':
        raise InputError('model.head "sigmoid" applies only to the tag task')
    return {'cell': m['cell'], 'vocabSize': len(dataset.tokenizer.vocab), 'embedding': m['embedding'], 'hidden': m['hidden'],
            'layers': m['layers'], 'bidirectional': m['bidirectional'], 'peephole': m['peephole'], 'resetAfter': m['resetAfter'],
            'activation': m['activation'], 'dropout': m['dropout'],
            'outputs': len(dataset.tokenizer.vocab) if dataset.task == 'lm' else len(dataset.labels),
            'head': m['head'], 'manyToOne': dataset.task == 'classify'}


def read_start(directory):
    """The run this project continues: start.json (everything but numbers) and start.bin (float32 LE)."""
    with open(os.path.join(directory, 'start.json'), encoding='utf-8') as f:
        start = json.load(f)
    with open(os.path.join(directory, 'start.bin'), 'rb') as f:
        raw = bytearray(f.read())
    numbers = torch.frombuffer(raw, dtype=torch.float32) if raw else torch.zeros(0)
    if sys.byteorder != 'little':
        numbers = numbers.byteswap() if hasattr(numbers, 'byteswap') else torch.tensor(struct.unpack(f'<{len(raw) // 4}f', raw))
    start['tensors'] = {name: numbers[t['offset']:t['offset'] + t['length']].clone().reshape(t['shape'])
                        for name, t in start['tensors'].items()}
    return start


class Trainer:
    """One process's training: the model (wrapped in DDP when there are several), optimizer, data,
    carried state, and rank 0's run folder."""

    def __init__(self, args, config, dist_env):
        self.args, self.config, self.env = args, config, dist_env
        t = config['training']
        self.run_dir = os.path.abspath(args.out)
        self.checkpoint_file = os.path.join(self.run_dir, 'checkpoint.pt')
        resumed = self.load_resume() if args.resume else None
        start = read_start(HERE) if START and not resumed else None
        known = resumed or start
        self.dataset = prepare_dataset(config, os.path.abspath(args.data), self.validation_source(), known and {
            'tokenizer': known['tokenizer'], 'labels': known['labels']})
        self.spec = model_spec(config, self.dataset)
        self.model = RecurrentModel(self.spec).to(dist_env.device)
        self.optimizer = make_optimizer(t, self.model.parameters())
        data_rng = Rng(t['seed'], DATA_STREAM)
        cursor, self.carried = None, None
        if resumed:
            self.model.load_state_dict(resumed['model'])
            self.optimizer.load_state_dict(resumed['optimizer'])
            data_rng.set_state(resumed['dataRng'])
            for key in ('step', 'epoch', 'startStep', 'totalSteps', 'schedule', 'bestValLoss', 'bestStep', 'evalsSinceBest', 'startedAt'):
                setattr(self, key, resumed[key])
            if args.steps is not None:
                self.totalSteps = self.startStep + args.steps
            cursor, carried = resumed['cursor'], resumed['carried']
        elif start:
            self.check_start(start)
            tensors = start['tensors']
            self.model.load_state_dict(rnnlab_to_state_dict(self.model, tensors['params']))
            opt = start['optimizer']
            if opt and opt['kind'] == t['optimizer']:
                load_optimizer_state(self.optimizer, self.model, opt['kind'], opt['stepCount'],
                                     {name: tensors[f'optimizer.{name}'] for name in opt['buffers']})
            if start.get('rngs', {}).get('data'):
                data_rng.set_state(start['rngs']['data'])
            self.step = self.startStep = start['step']
            self.epoch = start['epoch']
            self.totalSteps = self.step + (args.steps if args.steps is not None else t['steps'])
            self.schedule = start['schedule'] or schedule_for(t, t['steps'])
            self.bestValLoss, self.bestStep, self.evalsSinceBest = start.get('bestValLoss'), None, start.get('evalsSinceBest', 0)
            self.startedAt = int(time.time() * 1000)
            cursor = start['cursor']
            carried = [tensors['carried.h'], tensors.get('carried.c')] if 'carried.h' in tensors else None
        else:
            steps = args.steps if args.steps is not None else t['steps']
            self.model.load_state_dict(rnnlab_to_state_dict(self.model, rnnlab_init(self.spec, t['seed'], config['model']['init'] == 'orthogonal',
                                                                                    config['model'].get('forgetBias', 0))))
            if config['data'].get('vectors') or args.vectors:
                with torch.no_grad():
                    load_glove(args.vectors or config['data']['vectors'], self.dataset.tokenizer, self.model.embedding.weight)
            self.step = self.startStep = self.epoch = 0
            self.totalSteps = steps
            self.schedule = schedule_for(t, steps)
            self.bestValLoss, self.bestStep, self.evalsSinceBest = None, None, 0
            self.startedAt = int(time.time() * 1000)
            carried = None
        self.feed = Feed(self.dataset, t, dist_env.world, dist_env.rank, dist_env.device, cursor, data_rng)
        self.data_rng = data_rng
        if carried is not None and self.dataset.task == 'lm':
            self.carried = self.shard_state(carried)
        self.net = DistributedDataParallel(self.model, device_ids=[dist_env.device] if dist_env.device.type == 'cuda' else None) \
            if dist_env.on else self.model
        self.params = list(self.model.parameters())
        self.modelStep = None

    def validation_source(self):
        v = self.config['data']['validation']
        if self.args.validation:
            return os.path.abspath(self.args.validation)
        if isinstance(v, str):
            if not os.path.exists(v):
                raise InputError(f'data.validation {v}: no such file here; give the held-out file with --validation FILE')
            return v
        return v

    def check_start(self, start):
        spec = {k: v for k, v in start['spec'].items() if k != 'dropout'}
        ours = {k: v for k, v in self.spec.items() if k != 'dropout'}
        if spec != ours:
            raise InputError(f'start.json: the run\'s model {spec} differs from this config\'s {ours}')

    def shard_state(self, carried):
        """(L, D, B, H) global state(s) → this process's streams, per layer (h or (h, c))."""
        h, c = carried
        streams = self.feed.streams
        if h.shape[2] != self.feed.windows.B:
            return None
        out = []
        for l in range(h.shape[0]):
            hl = h[l][:, streams].to(self.env.device)
            out.append((hl, c[l][:, streams].to(self.env.device)) if c is not None else hl)
        return out

    def gathered_state(self):
        """This process's carried state joined with the others' into the global (L, D, B, H) h and c."""
        mine = None
        if self.carried is not None:
            mine = [tuple(t.detach().cpu() for t in (s if isinstance(s, tuple) else (s,))) for s in self.carried]
        shards = self.env.gather((self.feed.streams, mine) if self.dataset.task == 'lm' else None)
        if self.dataset.task != 'lm' or any(s is None or s[1] is None for s in shards):
            return None
        L, parts = len(shards[0][1]), len(shards[0][1][0])
        D, H = shards[0][1][0][0].shape[0], shards[0][1][0][0].shape[2]
        full = [torch.zeros(L, D, self.feed.windows.B, H) for _ in range(parts)]
        for streams, state in shards:
            for l in range(L):
                for k in range(parts):
                    full[k][l][:, streams] = state[l][k]
        return [full[0], full[1] if parts == 2 else None]

    def load_resume(self):
        if not os.path.exists(self.checkpoint_file):
            raise InputError(f'{self.run_dir}: has no checkpoint.pt to resume from')
        return torch.load(self.checkpoint_file, map_location='cpu')

    # --- rank 0's files ---

    def write_status(self, status, **extra):
        if self.env.rank != 0:
            return
        now = int(time.time() * 1000)
        record = {'status': status, 'task': self.dataset.task, 'step': self.step, 'totalSteps': self.totalSteps, 'pid': os.getpid(),
                  'host': socket.gethostname(), 'startedAt': self.startedAt, 'updatedAt': now, 'exportedFrom': SOURCE, 'world': self.env.world}
        if self.bestValLoss is not None:
            record['bestValLoss'] = self.bestValLoss
        if self.bestStep is not None:
            record['bestStep'] = self.bestStep
        if self.modelStep is not None:
            record['modelStep'] = self.modelStep
        record.update({k: v for k, v in extra.items() if v is not None})
        write_atomic(os.path.join(self.run_dir, 'run.json'), json.dumps(record, indent=2) + '\n')

    def metadata(self):
        config = dict(self.config, training=dict(self.config['training'], steps=self.totalSteps))
        return {'rnnlab.version': '1', 'rnnlab.task': json.dumps(self.dataset.task),
                'rnnlab.tokenizer': json.dumps({'kind': self.dataset.tokenizer.kind, 'lowercase': self.dataset.tokenizer.lowercase}),
                'rnnlab.vocab': json.dumps(self.dataset.tokenizer.vocab, ensure_ascii=False),
                'rnnlab.labels': json.dumps(self.dataset.labels, ensure_ascii=False),
                'rnnlab.config': json.dumps(config, ensure_ascii=False)}

    def write_model(self):
        if self.env.rank == 0:
            write_atomic(os.path.join(self.run_dir, 'model.onnx'), onnx_bytes(self.model, self.metadata()))
            self.modelStep = self.step

    def save_checkpoint(self):
        carried = self.gathered_state()
        if self.env.rank != 0:
            return
        state = {'format': 1, 'model': self.model.state_dict(), 'optimizer': self.optimizer.state_dict(), 'cursor': self.feed.cursor(),
                 'dataRng': self.data_rng.state(), 'carried': carried, 'tokenizer': self.dataset.tokenizer.spec(), 'labels': self.dataset.labels,
                 **{k: getattr(self, k) for k in ('step', 'epoch', 'startStep', 'totalSteps', 'schedule', 'bestValLoss', 'bestStep',
                                                   'evalsSinceBest', 'startedAt')}}
        buffer = io.BytesIO()
        torch.save(state, buffer)
        write_atomic(self.checkpoint_file, buffer.getvalue())

    def start_run_folder(self):
        if self.env.rank != 0:
            return
        os.makedirs(self.run_dir, exist_ok=True)
        snapshot = json.loads(json.dumps(self.config))
        snapshot['data']['train'] = os.path.abspath(self.args.data)
        if self.args.validation:
            snapshot['data']['validation'] = os.path.abspath(self.args.validation)
        snapshot['training']['steps'] = self.totalSteps
        write_atomic(os.path.join(self.run_dir, 'config.rnnconfig'),
                     '// Snapshot of the config this run trains with (paths resolved; written by train.py).\n'
                     + json.dumps(snapshot, indent=2, ensure_ascii=False) + '\n')
        metrics = os.path.join(self.run_dir, 'metrics.jsonl')
        if self.args.resume and os.path.exists(metrics):   # lines after the checkpoint (a crash) go, so steps never repeat
            with open(metrics, encoding='utf-8') as f:
                kept = [line for line in f if line.strip() and json.loads(line)['step'] <= self.step]
            write_atomic(metrics, ''.join(kept))
        self.write_status('training')

    # --- the loop ---

    def train_step(self, batch):
        """Forward, loss, backward of this process's shard; returns the global batch's mean loss. The
        gradients (averaged over processes by DDP) are those of the global batch's mean loss."""
        spec, t = self.spec, self.config['training']
        state = None
        if self.dataset.task == 'lm':
            state = None if batch['reset'] or self.carried is None else self.carried
        masks = dropout_masks(spec, spec['dropout'], t['seed'], self.step, batch['T'], batch['B'], batch['streams'], self.env.device)
        logits, finals = self.net(batch['tokens'], batch['lengths'], state, masks)
        weight = self.env.world / batch['count'] * (0.0 if batch.get('empty') else 1.0)
        if spec['manyToOne']:
            local_sum = F.cross_entropy(logits, batch['targets'], reduction='sum')
        else:
            local_sum = token_loss(spec, logits, batch['targets'], 1.0)
        (local_sum * weight).backward()
        if self.dataset.task == 'lm':
            self.carried = [tuple(s.detach() for s in f) if isinstance(f, tuple) else f.detach() for f in finals]
        mine = 0.0 if batch.get('empty') else float(local_sum.detach())
        return self.env.sum([mine])[0] / batch['count']

    def run(self):
        t = self.config['training']
        self.start_run_folder()
        log_every = max(1, round(self.totalSteps / 5000))
        smoothed_ms, last_logged, last_status = 0.0, 0.0, time.time()
        checkpoint_every = t['checkpointEvery']
        if self.env.rank == 0:
            print(f'train.py: {self.dataset.task}, {sum(p.numel() for p in self.params)} parameters, steps {self.step + 1}..{self.totalSteps}, '
                  f'{self.env.world} process(es) on {self.env.device}, run folder {self.run_dir}', flush=True)
        while self.step < self.totalSteps:
            began = time.perf_counter()
            batch = self.feed.next()
            for p in self.params:
                p.grad = None
            loss = self.train_step(batch)
            norm, clipped = clip_gradients(self.params, t['clipNorm'], t['clipValue'])
            lr = learning_rate(self.schedule, self.step)
            for group in self.optimizer.param_groups:
                group['lr'] = lr
            if not (math.isfinite(loss) and math.isfinite(norm)):
                what = f'the loss became {loss}' if not math.isfinite(loss) else f'the gradient norm became {norm}'
                message = f'training diverged at step {self.step + 1}: {what}. Lower training.learningRate (now {t["learningRate"]})'
                self.write_status('failed', message=message)
                raise RuntimeError(message)
            self.optimizer.step()
            self.step += 1
            if batch['ended']:
                self.epoch += 1
            step_ms = (time.perf_counter() - began) * 1000
            smoothed_ms = step_ms if smoothed_ms == 0 else 0.9 * smoothed_ms + 0.1 * step_ms
            last = self.step == self.totalSteps
            evaluation, stop = None, False
            if self.step % t['evalEvery'] == 0 or last:
                if self.env.rank == 0:
                    evaluation = evaluate(self.model, self.dataset, t, self.env.device)
                    if evaluation:
                        better = self.bestValLoss is None or evaluation['loss'] < self.bestValLoss
                        if better:
                            self.bestValLoss, self.bestStep, self.evalsSinceBest = evaluation['loss'], self.step, 0
                            self.write_model()    # model.onnx is the best model so far (RNN Lab's run folders)
                        else:
                            self.evalsSinceBest += 1
                        stop = t['earlyStoppingPatience'] > 0 and self.evalsSinceBest >= t['earlyStoppingPatience']
                stop = self.env.broadcast_flag(stop)
            now = time.time()
            if self.env.rank == 0 and (self.step % log_every == 0 or evaluation or last or now - last_logged >= 1):
                last_logged = now
                line = {'step': self.step, 'epoch': self.epoch, 'loss': loss, 'tokensPerSec': batch['tokens_in_batch'] / (smoothed_ms / 1000),
                        'gradNorm': norm, 'lr': lr, 'time': int(now * 1000), 'clipped': clipped}
                if evaluation:
                    line['valLoss'] = evaluation['loss']
                    if self.dataset.task == 'lm':
                        line['valPerplexity'] = math.exp(min(evaluation['loss'], 700))
                    else:
                        line['valAccuracy'] = evaluation['accuracy']
                append_json_line(os.path.join(self.run_dir, 'metrics.jsonl'), line)
            if now - last_status >= 2:
                last_status = now
                self.write_status('training', loss=loss)
            if stop or last or self.step % checkpoint_every == 0:
                self.save_checkpoint()
                if self.bestStep is None:
                    self.write_model()     # without validation data, model.onnx is the latest model
            if stop:
                break
        self.write_status('early-stopped' if self.step < self.totalSteps else 'finished', loss=None)
        if self.env.rank == 0:
            print(f'train.py: done at step {self.step}; {os.path.join(self.run_dir, "model.onnx")}', flush=True)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog='Run with torchrun for several processes (see README.md).')
    p.add_argument('data', help='the training data (the format of the task: text, token<TAB>label, label<TAB>text)')
    p.add_argument('--out', required=True, help='the run folder to write (RNN Lab opens it)')
    p.add_argument('--steps', type=int, help='optimizer steps to train from where this script starts '
                   '(default: training.steps of the config); with --resume, the new end is the start plus this')
    p.add_argument('--resume', action='store_true', help='continue from the run folder\'s checkpoint.pt')
    p.add_argument('--validation', help='held-out data file (when the config names one that is not here)')
    p.add_argument('--vectors', help='GloVe text file for the embedding (when the config names one that is not here)')
    p.add_argument('--cpu', action='store_true', help='train on the CPU even when CUDA is available')
    args = p.parse_args(argv)
    if args.steps is not None and args.steps < 1:
        p.error(f'--steps must be a whole number >= 1; got {args.steps}')
    return args


def main(argv=None):
    args = parse_args(argv)
    if CONFIG is None:
        print('train.py: this is the template; export a project with rnn-lab export-pytorch or "Export as PyTorch Project…"', file=sys.stderr)
        return 2
    env, finished = None, False
    try:
        check_onnx_exporter()
        env = Distributed(args.cpu)
        trainer = Trainer(args, CONFIG, env)
        trainer.run()
        finished = True
        return 0
    except InputError as e:
        print(f'train.py: {e}', file=sys.stderr)
        return 2
    finally:
        if env is not None:
            env.close(finished)


if __name__ == '__main__':
    sys.exit(main())
