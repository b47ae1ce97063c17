"""Gradient of each loss term of a distiller at the start of training.

    python tools/analysis/loss_gradient_scale.py CONFIG [--batches 4] [--seed 0]

Builds the distiller as training would (student initialised from
``--seed``, teacher from the config's checkpoint), takes the first batches
of its train dataloader and prints, per loss term of the loss dict: its
value and the L2 norm of its gradient with respect to the student's
parameters (means over the batches), and that norm relative to the norm
of the gradient of the student's own task losses summed. For logit losses
it also prints the per-sample standard deviation of the student's and
the teacher's logits (``head.fc``), which sets how strongly logit standardisation amplifies
the gradient (d z_std / d z scales as 1 / std).

Use it to explain a distiller that does not train (a KD term that swamps
the task loss at initialisation) before reaching for its lr or weights.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

from mmengine.config import DictAction  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='a distiller config')
    parser.add_argument('--batches', type=int, default=4)
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the student initialisation')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config')
    return parser.parse_args(argv)


def gradient_scales(cfg, batches: int, seed: int) -> dict:
    """``{term: (value, grad_norm)}`` means over ``batches`` batches (a
    term given per level, as mmdet's heads give them, is summed first, as
    mmengine's ``parse_losses`` does), plus ``'_task'``: (value, grad norm)
    of the sum of the student's own terms, and ``'_logit_std'``:
    (student, teacher) mean per-sample logit std when the student has a
    ``head.fc``."""
    import torch
    from mmengine.runner import set_random_seed
    from kdbench.utils.step_timing import build_in_scope, first_batches
    set_random_seed(seed)
    distiller = build_in_scope(cfg, cfg.model.to_dict())
    distiller.train()
    params = [p for p in distiller.student.parameters() if p.requires_grad]
    fc = dict(distiller.student.named_modules()).get('head.fc')
    teacher_fc = dict(distiller.teacher.named_modules()).get('head.fc') \
        if getattr(distiller, 'teacher', None) is not None else None
    seen = {}
    hooks = [m.register_forward_hook(
        lambda _m, _i, out, name=name: seen.__setitem__(name, out))
        for name, m in (('student', fc), ('teacher', teacher_fc))
        if m is not None]
    sums, stds = {}, []
    def norm_of_grad(value):
        grads = torch.autograd.grad(value, params, retain_graph=True,
                                    allow_unused=True)
        return torch.sqrt(sum((g.double() ** 2).sum()
                              for g in grads if g is not None)).item()

    for batch in first_batches(cfg, batches):
        data = distiller.data_preprocessor(batch, True)
        losses = distiller(**data, mode='loss')
        terms = {}
        for name, value in losses.items():
            if 'loss' not in name:
                continue
            if isinstance(value, (list, tuple)):
                value = sum(v.sum() for v in value)
            if isinstance(value, torch.Tensor) and value.requires_grad:
                terms[name] = value.sum()
        task = [v for k, v in terms.items() if not k.startswith('distill')]
        if task:
            terms['_task'] = sum(task)
        for name, value in terms.items():
            total = sums.setdefault(name, [0.0, 0.0])
            total[0] += value.item() / batches
            total[1] += norm_of_grad(value) / batches
        if 'student' in seen:
            stds.append(tuple(seen[k].detach().std(dim=1).mean().item()
                              if k in seen else float('nan')
                              for k in ('student', 'teacher')))
    for hook in hooks:
        hook.remove()
    result = {k: tuple(v) for k, v in sums.items()}
    if stds:
        result['_logit_std'] = tuple(sum(s[i] for s in stds) / len(stds)
                                     for i in range(2))
    return result


def main(argv=None):
    args = parse_args(argv)
    import kdbench  # noqa: F401
    from kdbench.utils.cli import load_config, report_user_errors
    with report_user_errors():
        cfg = load_config(args.config, args.cfg_options)
        scales = gradient_scales(cfg, args.batches, args.seed)
    std = scales.pop('_logit_std', None)
    own = scales.pop('_task', (0.0, 0.0))[1]
    print(f'config: {args.config} (student seed {args.seed}, means of '
          f'{args.batches} batches)')
    print(f'{"term":40s} {"value":>10s} {"|grad|":>10s} {"/ task":>8s}')
    for name, (value, grad) in scales.items():
        ratio = f'{grad / own:8.2f}' if own else '       –'
        print(f'{name:40s} {value:10.4f} {grad:10.4f} {ratio}')
    if std is not None:
        print(f'logit std per sample: student {std[0]:.4f}, teacher '
              f'{std[1]:.4f}')
    return scales


if __name__ == '__main__':
    main()
