"""Step times of the Structured KD segmentation distillers, in one run.

    python tools/analysis/seg_distill_overhead.py [--iters 20] [--random-teacher]

For each config (default: the mini skd_pi, skd_pi_pa and skd_full PSPNet
pairs), on the mini Cityscapes data, timed interleaved on the same batches
(medians):

* distill train step / (student train step + teacher inference); target
  <= 1.05 for the terms without the discriminator;
* for a config with the holistic critic, the same ratio of the step with
  the critic switched off (pixel-wise and pair-wise terms only), and the
  critic's share of the full step: (full step - step without critic) /
  full step (the student's adversarial forward through the critic plus the
  critic's own step with its gradient penalty).

Teachers come from the configs' ``teacher_checkpoint`` (the cached mini
teacher of tools/benchmark.py); ``--random-teacher`` uses random weights
of the teacher architecture where that file does not exist yet.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

_PAIR = 'pspnet_r18-d8_pspnet_r18-w16-d8_1xb8-1500i_cityscapes-mini.py'
CONFIGS = ['configs/seg/skd/skd-pi_' + _PAIR,
           'configs/seg/skd/skd-pi-pa_' + _PAIR,
           'configs/seg/skd/skd-full_' + _PAIR,
           'configs/seg/cwd/cwd_' + _PAIR]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--iters', type=int, default=20,
                        help='timed rounds per config')
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--configs', nargs='+', default=CONFIGS)
    parser.add_argument('--random-teacher', action='store_true',
                        help='random teacher weights where the checkpoint '
                        'does not exist yet (timing only)')
    return parser.parse_args(argv)


def without_critic(distiller, optim) -> dict:
    """The distiller's step with its critic switched off, through the
    student's optimizer only (the pixel-wise and pair-wise terms remain)."""
    if getattr(distiller, 'critic', None) is None:
        return {}

    def step(batch):
        critic, distiller.critic = distiller.critic, None
        try:
            distiller.train_step(batch, optim['student'])
        finally:
            distiller.critic = critic
    return dict(no_critic=step)


def main(argv=None):
    args = parse_args(argv)
    import torch
    import kdbench  # noqa: F401
    import kdbench.seg  # noqa: F401
    from kdbench.utils.cli import load_config, report_user_errors
    from kdbench.utils.step_timing import (measure_distiller,
                                           random_teacher_checkpoint)
    torch.manual_seed(0)
    cache, figures = {}, {}
    print('distill step / (student step + teacher inference), target <= '
          '1.05 without the critic:')
    with report_user_errors():
        for config in args.configs:
            cfg = load_config(config)
            if args.random_teacher:
                random_teacher_checkpoint(cfg, cache)
            m = measure_distiller(cfg, args.iters, args.warmup,
                                  extra_steps=without_critic)
            base = m['student'] + m['teacher']
            ratio = m['distill'] / base
            line = (f'    {osp.basename(config)}: distill '
                    f'{m["distill"] * 1000:.1f} ms, student '
                    f'{m["student"] * 1000:.1f} ms, teacher '
                    f'{m["teacher"] * 1000:.1f} ms; ratio {ratio:.3f}')
            figures[config] = dict(ratio=ratio)
            if 'no_critic' in m:
                share = (m['distill'] - m['no_critic']) / m['distill']
                figures[config].update(
                    ratio_without_critic=m['no_critic'] / base,
                    critic_share=share)
                line += (f'; without the critic {m["no_critic"] * 1000:.1f} '
                         f'ms, ratio {m["no_critic"] / base:.3f}; critic '
                         f'share of the step {share:.1%}')
            print(line, flush=True)
    return figures


if __name__ == '__main__':
    main()
