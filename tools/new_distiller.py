"""Write the three files of a new logit or feature distillation method:
its loss, its mini classification config and its test.

    python tools/new_distiller.py METHOD LossName [--force]

e.g. ``python tools/new_distiller.py l1logit L1LogitLoss`` writes

    kdbench/losses/l1logit.py          the loss, registered as
                                       kdbench.L1LogitLoss (a template
                                       whose forward you fill in)
    configs/cls/l1logit/l1logit_r18-w16_r18-w8_1xb64-3e_fmnist-mini.py
    tests/test_l1logit.py              a value test against a reference
                                       you write in numpy, and the
                                       config's build

and prints what is left (docs/adding_a_distiller.md has the path): the
formula, its independent check, the full-scale config and the suite line.
Existing files are never overwritten unless --force.
"""
import argparse
import os
import os.path as osp
import re
import sys

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
PAIR = 'r18-w16_r18-w8_1xb64-3e_fmnist-mini'

LOSS = '''"""{name}: one line on the method (paper, venue, year)."""
import torch

from kdbench.registry import MODELS
from .base import DistillLoss, full_precision


@MODELS.register_module()
class {loss}(DistillLoss):
    r"""Authors, "Title", Venue Year, Eq. N:

    .. math::
        L = w \\cdot (\\text{{the formula}})

    State the reduction (what is summed, what is averaged) and any choice
    the paper leaves open.
    """

    def __init__(self, tau: float = 1.0, loss_weight: float = 1.0):
        super().__init__(loss_weight)
        self.tau = float(tau)

    def forward(self, student: torch.Tensor, teacher: torch.Tensor,
                labels=None) -> torch.Tensor:
        # labels, sample_indices, gt_instances, gt, iteration, epoch, ...:
        # name what you need (kdbench/distillers/loss_context.py); drop
        # what you do not
        with full_precision(student, teacher) as (s, t):
            raise NotImplementedError('{loss}: write the formula here')

    def extra_repr(self) -> str:
        return f'tau={{self.tau}}, loss_weight={{self.loss_weight}}'


__all__ = ['{loss}']
'''

CONFIG = '''# {name} (method id `{name}`): one line on the method and the recipe
# (which paper values, what was scaled to the mini schedule and why).
_base_ = ['../../_base_/distillers/r18-w16_r18-w8_fmnist-mini.py']
model = dict(
    distill_losses=dict(
        {name}=dict(type='kdbench.{loss}', tau=1.0, loss_weight=1.0,
                    student='head.fc', teacher='head.fc')))
'''

TEST = '''"""{loss} against an independent computation written here."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

import kdbench  # noqa: F401
from kdbench.losses import {loss}
from kdbench.registry import MODELS

from conftest import REPO

CONFIG = '{config}'


def _reference(student, teacher, tau):
    """The formula in numpy, by explicit loops (not the loss's code)."""
    raise NotImplementedError('write the reference computation')


def test_value_matches_the_reference():
    g = torch.Generator().manual_seed(0)
    s = torch.randn(4, 10, generator=g, dtype=torch.float64)
    t = torch.randn(4, 10, generator=g, dtype=torch.float64)
    expected = _reference(s.numpy(), t.numpy(), tau=2.0)
    assert {loss}(tau=2.0)(s, t).item() == pytest.approx(expected,
                                                         rel=1e-9)


def test_gradient_reaches_the_student_only():
    s = torch.randn(4, 10, requires_grad=True)
    t = torch.randn(4, 10, requires_grad=True)
    {loss}()(s, t).backward()
    assert s.grad is not None and t.grad is None


def test_config_builds(random_teacher_ckpt):
    cfg = Config.fromfile(osp.join(REPO, CONFIG))
    model = cfg.model.to_dict()
    model['teacher_checkpoint'] = random_teacher_ckpt
    model.setdefault('data_preprocessor', cfg.get('data_preprocessor'))
    assert type(MODELS.build(model).distill_losses['{name}']).__name__ == \\
        '{loss}'
'''


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('method', help='method id, lower case (e.g. l1logit)')
    parser.add_argument('loss', help='loss class name (e.g. L1LogitLoss)')
    parser.add_argument('--force', action='store_true',
                        help='overwrite existing files')
    parser.add_argument('--root', default=REPO, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    sys.path.insert(0, REPO)
    from kdbench.utils.cli import UserInputError, report_user_errors
    with report_user_errors():
        if not re.fullmatch(r'[a-z][a-z0-9_]*', args.method):
            raise UserInputError(f'Method id {args.method!r}: use lower '
                                 f'case letters, digits and _.')
        if not re.fullmatch(r'[A-Z][A-Za-z0-9]*Loss', args.loss):
            raise UserInputError(f'Loss name {args.loss!r}: a CamelCase '
                                 f'class name ending in Loss.')
        slug = args.method.replace('_', '-')
        config = f'configs/cls/{args.method}/{slug}_{PAIR}.py'
        files = {
            f'kdbench/losses/{args.method}.py':
            LOSS.format(name=args.method, loss=args.loss),
            config: CONFIG.format(name=args.method, loss=args.loss),
            f'tests/test_{args.method}.py':
            TEST.format(name=args.method, loss=args.loss, config=config),
        }
        existing = [p for p in files if osp.exists(osp.join(args.root, p))]
        if existing and not args.force:
            raise UserInputError(f'{", ".join(existing)} exist(s); pick '
                                 f'another method id or pass --force.')
        for path, text in files.items():
            full = osp.join(args.root, path)
            os.makedirs(osp.dirname(full), exist_ok=True)
            with open(full, 'w') as f:
                f.write(text)
            print(f'wrote {path}')
    print(f'Left to do (docs/adding_a_distiller.md): the formula in '
          f'{args.loss}.forward and its docstring, the numpy reference in '
          f'the test, the recipe in the config header, the full-scale '
          f'config beside the mini one, and the suite line '
          f'`{args.method}=...` in configs/benchmarks/cls_mini.py.')


if __name__ == '__main__':
    main()
