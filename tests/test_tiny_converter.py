"""tools/model_converters/netaug_mbv2_to_kdbench.py on a state dict built
with the official NetAug MobileNetV2's names and shapes
(netaug/models/base/mbv2.py of mit-han-lab/tinyml)."""
import pytest
import torch

import kdbench  # noqa: F401
from kdbench.registry import MODELS
from kdbench.tiny.converters import UnknownKeyError, convert_netaug_mbv2

from conftest import run_tool


def _divisible(v, d=8):
    r = max(d, int(v + d / 2) // d * d)
    return r + d if r < 0.9 * v else r


def official_mbv2_state(width=0.35, classes=1000, seed=0):
    """Names and shapes as the official code builds them."""
    g = torch.Generator().manual_seed(seed)
    state = {}

    def conv_layer(prefix, cin, cout, k, groups=1):
        state[f'{prefix}.conv.weight'] = torch.randn(
            cout, cin // groups, k, k, generator=g)
        for name in ('weight', 'bias', 'running_mean', 'running_var'):
            state[f'{prefix}.norm.{name}'] = torch.rand(cout, generator=g)
        state[f'{prefix}.norm.num_batches_tracked'] = torch.tensor(5)

    def inverted(prefix, cin, cout, mid):
        conv_layer(f'{prefix}.inverted_conv', cin, mid, 1)
        conv_layer(f'{prefix}.depth_conv', mid, mid, 3, groups=mid)
        conv_layer(f'{prefix}.point_conv', mid, cout, 1)

    stage = [_divisible(w * width) for w in [32, 16, 24, 32, 64, 96, 160]]
    head = [_divisible(320 * width), max(_divisible(1280 * width), 1280)]
    conv_layer('backbone.input_stem.op_list.0', 3, stage[0], 3)
    conv_layer('module.backbone.input_stem.op_list.1.conv.depth_conv',
               stage[0], stage[0], 3, groups=stage[0])
    conv_layer('backbone.input_stem.op_list.1.conv.point_conv', stage[0],
               stage[1], 1)
    cin = stage[1]
    for s, ((t, n, _), c) in enumerate(zip(
            [[6, 2, 2], [6, 3, 2], [6, 4, 2], [6, 3, 1], [6, 3, 2]],
            stage[2:])):
        for i in range(n):
            inverted(f'backbone.stages.{s}.op_list.{i}.conv', cin, c,
                     _divisible(round(t * cin)))
            cin = c
    inverted('head.op_list.0.conv', cin, head[0], round(cin * 6))
    conv_layer('head.op_list.1', head[0], head[1], 1)
    state['head.op_list.3.linear.weight'] = torch.randn(classes, head[1],
                                                        generator=g)
    state['head.op_list.3.linear.bias'] = torch.randn(classes, generator=g)
    return state


def _classifier():
    return MODELS.build(dict(
        type='mmpretrain.ImageClassifier',
        backbone=dict(type='kdbench.SliceableMobileNetV2', widen_factor=0.35),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(type='mmpretrain.LinearClsHead', num_classes=1000,
                  in_channels=1280)))


def test_official_names_map_onto_the_kdbench_classifier(tmp_path):
    official = official_mbv2_state()
    converted = convert_netaug_mbv2(official)
    model = _classifier()
    model.load_state_dict(converted, strict=True)
    # spot checks: the same tensors, now under kdbench names
    assert torch.equal(model.backbone.layer4[2].expand.conv.weight,
                       official['backbone.stages.2.op_list.2.conv.'
                                'inverted_conv.conv.weight'])
    assert torch.equal(
        model.backbone.conv2.bn.norms['default'].running_var,
        official['head.op_list.1.norm.running_var'])
    assert torch.equal(model.head.fc.bias,
                       official['head.op_list.3.linear.bias'])
    # the command-line tool writes a weights-only file of the same tensors
    src, dst = tmp_path / 'netaug.pth', tmp_path / 'kdbench.pth'
    torch.save({'state_dict': official}, src)
    proc = run_tool(['tools/model_converters/netaug_mbv2_to_kdbench.py',
                     str(src), str(dst)])
    assert proc.returncode == 0, proc.stderr[-2000:]
    saved = torch.load(dst, weights_only=True)['state_dict']
    assert saved.keys() == converted.keys()


def test_unknown_keys_are_named():
    with pytest.raises(UnknownKeyError, match='backbone.blocks.0.weight'):
        convert_netaug_mbv2({'backbone.blocks.0.weight': torch.zeros(1)})
