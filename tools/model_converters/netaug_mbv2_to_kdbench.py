"""Convert a MobileNetV2 checkpoint of the official NetAug code
(mit-han-lab/tinyml, netaug/) into a kdbench classifier weights file.

    python tools/model_converters/netaug_mbv2_to_kdbench.py SRC DST

SRC: the official checkpoint (``state_dict`` / ``model`` entry or a plain
state dict; ``module.`` prefixes allowed). DST: a weights-only file with
``backbone.*`` (kdbench.SliceableMobileNetV2) and ``head.fc.*`` keys that
loads into an mmpretrain ImageClassifier with that backbone and a
LinearClsHead (e.g. configs/_base_/models/mbv2-w0.35_canvas.py with
num_classes=1000), or, as ``init_cfg=dict(type='kdbench.PretrainedBackbone',
checkpoint=DST)``, into the backbone of a detector or segmentor.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src')
    parser.add_argument('dst')
    args = parser.parse_args(argv)
    import torch
    from kdbench.compat import save_weights
    from kdbench.tiny.converters import convert_netaug_mbv2
    # the official code saves plain tensors (and optimizer state) with
    # torch.save; weights_only loading refuses anything else
    loaded = torch.load(args.src, map_location='cpu', weights_only=True)
    state = loaded
    for key in ('state_dict', 'model'):
        if isinstance(loaded, dict) and key in loaded:
            state = loaded[key]
            break
    converted = convert_netaug_mbv2(state)
    save_weights(converted, args.dst,
                 dict(source=osp.basename(args.src),
                      converter='netaug_mbv2_to_kdbench'))
    print(f'{len(converted)} tensors -> {args.dst}')


if __name__ == '__main__':
    main()
