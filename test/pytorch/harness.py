"""Drives exported train.py files from the pytorch test layer (test/pytorch/*.test.ts), one Python process
for many cases, since starting PyTorch is the slow part. Imports each train.py as a module and uses its
own functions, so what is checked is the exported script itself.

    python harness.py CASES.json   →   one JSON line per case on stdout

A case is {"mode": "step" | "logits", "trainPy": ..., "data": ..., "out": ..., "tokens": [[...]] (logits: (T, B))}.
step: the first batch of a fresh run: initial weights, loss, gradients (RNN Lab's flat layout, before
clipping) and the weights after one optimizer step; logits: the model of a run folder's checkpoint.pt
on the given tokens.
"""
import importlib.util
import json
import os
import sys

import torch


def load(train_py, index):
    spec = importlib.util.spec_from_file_location(f'exported_train_{index}', train_py)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def flat(t):
    return [float(v) for v in t.reshape(-1)]


def step_case(train, case):
    args = train.parse_args([case['data'], '--out', case['out'], '--cpu'])
    trainer = train.Trainer(args, train.CONFIG, train.Distributed(True))
    model, t = trainer.model, train.CONFIG['training']
    init = train.state_dict_to_rnnlab(model, dict(model.named_parameters()))
    batch = trainer.feed.next()
    for p in trainer.params:
        p.grad = None
    loss = trainer.train_step(batch)
    grads = train.state_dict_to_rnnlab(model, {n: p.grad for n, p in model.named_parameters()})
    norm, clipped = train.clip_gradients(trainer.params, t['clipNorm'], t['clipValue'])
    for group in trainer.optimizer.param_groups:
        group['lr'] = train.learning_rate(trainer.schedule, 0)
    trainer.optimizer.step()
    after = train.state_dict_to_rnnlab(model, dict(model.named_parameters()))
    return {'vocab': trainer.dataset.tokenizer.vocab, 'labels': trainer.dataset.labels, 'loss': loss, 'gradNorm': norm,
            'init': flat(init), 'grads': flat(grads), 'after': flat(after)}


def logits_case(train, case):
    args = train.parse_args([case['data'], '--out', case['out'], '--resume', '--cpu'])
    trainer = train.Trainer(args, train.CONFIG, train.Distributed(True))
    trainer.model.eval()
    with torch.no_grad():
        logits, _ = trainer.model(torch.tensor(case['tokens'], dtype=torch.int64))
    return {'shape': list(logits.shape), 'logits': flat(logits)}


def main():
    torch.set_num_threads(1)
    with open(sys.argv[1], encoding='utf-8') as f:
        cases = json.load(f)
    for i, case in enumerate(cases):
        train = load(case['trainPy'], i)
        result = step_case(train, case) if case['mode'] == 'step' else logits_case(train, case)
        print(json.dumps({'torch': torch.__version__, **result}), flush=True)


if __name__ == '__main__':
    main()
