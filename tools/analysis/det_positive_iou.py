"""Localisation quality where LD distils: the IoU with its ground truth of
the box a GFL head predicts at each positive location of its assigner
(LD's main distillation region), on the validation split.

    python tools/analysis/det_positive_iou.py CONFIG WEIGHTS [CONFIG WEIGHTS ...]
        [--images 200]

For each (config, weights) pair, in eval mode under no_grad, it runs the
head's own training targets (mmdet's ``GFLHead.loss_by_feat``: ATSS
assignment, the decoded box at every positive) over the first ``--images``
images of the config's validation dataloader and prints the number of
positives, their mean IoU and the share above 0.5 / 0.75. The assignment
depends on the priors and the ground truth only, so models of one layout
(a teacher and its students) are scored on the same positives: LD can
only pass on the difference between the teacher's row and the student's.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('pairs', nargs='+', metavar='CONFIG WEIGHTS',
                        help='a plain GFL config and a weights.pth of it, '
                        'one pair per model')
    parser.add_argument('--images', type=int, default=200)
    return parser.parse_args(argv)


def positive_ious(cfg, weights: str, images: int):
    """IoUs (a 1-D tensor) of the predicted boxes at the positives of the
    first ``images`` validation images."""
    import torch
    from mmdet.models.dense_heads import gfl_head
    from mmdet.models.utils import unpack_gt_instances
    from mmengine.runner import Runner

    from kdbench.utils.cli import UserInputError
    from kdbench.utils.state_dicts import load_weights_strictly
    from kdbench.utils.step_timing import build_in_scope
    model = build_in_scope(cfg, cfg.model.to_dict())
    head = getattr(model, 'bbox_head', None)
    # GFLHead itself: a subclass (mmdet's LDHead) computes its targets in
    # a loss of its own
    if type(head) is not gfl_head.GFLHead:
        raise UserInputError(
            f'{cfg.filename}: the model\'s bbox_head is '
            f'{type(head).__name__}, not GFLHead; this tool reads the '
            f'positives of GFLHead.loss_by_feat.')
    load_weights_strictly(model, weights)
    model.eval()
    recorded = []
    overlaps = gfl_head.bbox_overlaps

    def record(pred, target, is_aligned=False, **kwargs):
        ious = overlaps(pred, target, is_aligned=is_aligned, **kwargs)
        recorded.append(ious.detach().flatten())
        return ious
    loader_cfg = cfg.val_dataloader.copy()
    loader_cfg.dataset = dict(loader_cfg.dataset, indices=images)
    gfl_head.bbox_overlaps = record
    try:
        with torch.no_grad():
            for batch in Runner.build_dataloader(loader_cfg):
                data = model.data_preprocessor(batch, training=True)
                samples = data['data_samples']
                # mmdet's test pipelines load the boxes after Resize: the
                # boxes are the original image's, the priors the resized one's
                for sample in samples:
                    scale = sample.metainfo.get('scale_factor', (1.0, 1.0))
                    if any(abs(float(f) - 1.0) > 1e-6 for f in scale):
                        raise UserInputError(
                            f'{cfg.filename}: its validation pipeline resizes '
                            f'the images (scale factor {tuple(scale)}) but '
                            f'not their boxes; this tool needs images scored '
                            f'at their own size (the mini configs).')
                gts, ignores, metas = unpack_gt_instances(samples)
                outs = model.bbox_head(model.extract_feat(data['inputs']))
                model.bbox_head.loss_by_feat(*outs, gts, metas, ignores)
    finally:
        gfl_head.bbox_overlaps = overlaps
    return torch.cat(recorded) if recorded else torch.zeros(0)


def main(argv=None):
    args = parse_args(argv)
    from kdbench.utils.cli import UserInputError, load_config, \
        report_user_errors
    with report_user_errors():
        if args.images < 1:
            raise UserInputError(f'--images must be at least 1, not '
                                 f'{args.images}.')
        if len(args.pairs) % 2:
            raise UserInputError('Give CONFIG WEIGHTS pairs: '
                                 f'{len(args.pairs)} paths were given.')
        print(f'positives of the first {args.images} validation images')
        print('| model | weights | positives | mean IoU | IoU > 0.5 | '
              'IoU > 0.75 |')
        print('|---|---|---|---|---|---|')
        for config, weights in zip(args.pairs[::2], args.pairs[1::2]):
            cfg = load_config(config)
            ious = positive_ious(cfg, weights, args.images)
            if ious.numel() == 0:
                raise UserInputError(f'{config}: no positive location in the '
                                     f'first {args.images} images.')
            print(f'| {osp.basename(config)} | {weights} | {ious.numel()} | '
                  f'{ious.mean():.4f} | {(ious > 0.5).float().mean():.3f} | '
                  f'{(ious > 0.75).float().mean():.3f} |')


if __name__ == '__main__':
    main()
