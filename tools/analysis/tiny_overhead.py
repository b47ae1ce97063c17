"""Train-step cost of NetAug and NetDistiller relative to plain training of
the same tiny network, measured in one run.

    python tools/analysis/tiny_overhead.py [--iters 10] [--warmup 2]

Builds the mini tiny-track configs (plain MobileNetV2 x0.35, NetAug,
NetDistiller), takes the same batches of the plain config's train
dataloader, and times the train steps interleaved (medians), then prints
each step time divided by the plain step's. NetAug is timed in both of its
phases: with width augmentation (``netaug``, the first ``stop_width_aug`` of
training) and without (``netaug_expand``, the rest: expand ratios only);
``netaug_run`` is their mean weighted by the two phases' lengths, the cost
of a whole NetAug run. The papers
report about +17 % (NetAug) and +20 % (NetDistiller) on GPUs, where tiny
networks leave the device underused; on a CPU the extra networks' FLOPs
show in full.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

_SUFFIX = 'mbv2-w0.35_1xb128-10e_canvas64-mini.py'
CONFIGS = dict(
    plain='configs/tiny/baseline/' + _SUFFIX,
    netaug='configs/tiny/netaug/netaug_' + _SUFFIX,
    # the UD row trains 20 epochs; its step is the same at any length
    netdistiller='configs/tiny/netdistiller/netdistiller_' +
    _SUFFIX.replace('-10e_', '-20e_'))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--batch-size', type=int, default=128)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import torch
    from mmengine.logging import MessageHub
    from mmengine.optim import build_optim_wrapper
    import kdbench  # noqa: F401
    from kdbench.utils.cli import load_config, report_user_errors
    from kdbench.utils.step_timing import (build_in_scope, first_batches,
                                           time_interleaved)
    torch.manual_seed(0)
    with report_user_errors():
        steps = {}
        batches = None
        width_share = None
        for name, config in CONFIGS.items():
            cfg = load_config(config, {'train_dataloader.batch_size':
                                       args.batch_size})
            batches = batches or first_batches(cfg, 2)
            variants = {name: {}}
            if name == 'netaug':
                variants['netaug_expand'] = {'width_aug': False}
                width_share = next(
                    h.get('stop_width_aug', 0.5)
                    for h in cfg.get('custom_hooks', [])
                    if h['type'].endswith('NetAugScheduleHook'))
            for label, overrides in variants.items():
                model = build_in_scope(
                    cfg, {**cfg.model.to_dict(), **overrides}).train()
                optim = build_optim_wrapper(model,
                                            cfg.optim_wrapper.to_dict())
                steps[label] = (lambda m, o: lambda batch: m.train_step(
                    batch, o))(model, optim)
        hub = MessageHub.get_current_instance()
        counter = iter(range(10**9))

        def advance(step):
            def run(batch):
                hub.update_info('iter', next(counter))
                step(batch)
            return run
        medians = time_interleaved({k: advance(v) for k, v in steps.items()},
                                   batches, args.iters, args.warmup)
    medians['netaug_run'] = (width_share * medians['netaug'] +
                             (1 - width_share) * medians['netaug_expand'])
    plain = medians['plain']
    ratios = {}
    print(f'train step at batch {args.batch_size}, medians of {args.iters} '
          f'interleaved rounds:')
    for name, seconds in medians.items():
        ratios[name] = seconds / plain
        print(f'    {name:13s}: {seconds * 1000:8.1f} ms  ratio to plain '
              f'{ratios[name]:.3f}')
    print(f'    (netaug_run: {width_share:.0%} of the steps with width '
          f'augmentation, the rest without)')
    return ratios


if __name__ == '__main__':
    main()
