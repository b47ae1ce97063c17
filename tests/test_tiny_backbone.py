"""SliceableMobileNetV2: a narrower configuration is the leading slices of
the shared weights; export gives the static tiny network."""
import pytest
import torch
import torch.nn.functional as F

import kdbench  # noqa: F401
from kdbench.registry import MODELS
from kdbench.tiny import DynamicBatchNorm2d, DynamicConv2d, \
    SliceableMobileNetV2, make_divisible

NETAUG = dict(width_mults=(1.0, 1.8, 2.6), expand_mults=(1.0, 1.6, 2.2, 2.8))


def _randomise_norms(net):
    g = torch.Generator().manual_seed(3)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            n = m.num_features
            m.weight.data = 0.5 + torch.rand(n, generator=g)
            m.bias.data = torch.randn(n, generator=g)
            m.running_mean.copy_(torch.randn(n, generator=g))
            m.running_var.copy_(0.5 + torch.rand(n, generator=g))


@pytest.fixture(scope='module')
def supernet():
    torch.manual_seed(0)
    net = SliceableMobileNetV2(out_indices=(2, 4, 6, 7), **NETAUG)
    net.init_weights()
    _randomise_norms(net)
    return net.eval()


def test_base_configuration_equals_the_exported_tiny_network(supernet):
    x = torch.randn(2, 3, 64, 64)
    supernet.set_base()
    sliced = supernet(x)
    plain = supernet.export()
    assert not plain.training
    assert sum(p.numel() for p in plain.parameters()) < \
        sum(p.numel() for p in supernet.parameters()) / 4
    exported = plain(x)
    assert [t.shape[1] for t in exported] == plain.out_channels == \
        [16, 32, 112, 1280]
    for a, b in zip(sliced, exported):
        assert torch.allclose(a, b, atol=1e-5)


def test_exported_weights_load_into_the_plain_backbone(supernet):
    state = supernet.export_state_dict()
    plain = MODELS.build(dict(type='kdbench.SliceableMobileNetV2',
                              widen_factor=0.35, out_indices=(2, 4, 6, 7)))
    plain.load_state_dict(state, strict=True)
    assert not any('norms.teacher' in k for k in state)


def test_active_widths_follow_the_multipliers(supernet):
    supernet.set_active(width=2.6, expand=2.8)
    outs = supernet(torch.randn(1, 3, 64, 64))
    # stage 3 / 5 / 7 channels: make_divisible(c * 0.35 * 2.6)
    assert [t.shape[1] for t in outs] == [
        make_divisible(32 * 0.35 * 2.6), make_divisible(96 * 0.35 * 2.6),
        make_divisible(320 * 0.35 * 2.6), make_divisible(1280 * 2.6)]
    block = supernet.layer3[1]  # input 16 at base; x2.6 -> 32 channels
    assert block.expand.conv.active_out == make_divisible(32 * 6 * 2.8)
    # one multiplier per group: the final conv (group 8) follows its own
    supernet.set_active(width=[1.0] * 8 + [1.8], expand=1.0)
    outs = supernet(torch.randn(1, 3, 64, 64))
    assert [t.shape[1] for t in outs] == [16, 32, 112, 2304]
    supernet.set_base()


def test_a_base_step_only_touches_the_leading_slices():
    torch.manual_seed(0)
    net = SliceableMobileNetV2(out_indices=(7, ), **NETAUG).train()
    net.set_base()
    net(torch.randn(2, 3, 32, 32))[0].sum().backward()
    conv = net.layer2[0].expand.conv  # base: 16 -> 96 of 16 -> 272
    assert conv.weight.grad[:96, :16].abs().sum() > 0
    assert conv.weight.grad[96:].abs().sum() == 0
    bn = net.layer2[0].expand.bn.norms['default']
    # running statistics moved for the first 96 channels only
    assert torch.all(bn.running_mean[96:] == 0)
    assert torch.any(bn.running_mean[:96] != 0)


def test_dynamic_layers_against_plain_slicing():
    torch.manual_seed(0)
    conv = DynamicConv2d(8, 6, 3)
    conv.active_out = 4
    x = torch.randn(2, 5, 7, 7)
    assert torch.allclose(conv(x), F.conv2d(x, conv.weight[:4, :5],
                                            padding=1))
    bn = DynamicBatchNorm2d(6, norm_sets=('student', 'teacher')).eval()
    bn.norms['teacher'].running_mean.fill_(1.0)
    bn.active_set = 'teacher'
    y = torch.randn(2, 4, 3, 3)
    expected = (y - 1.0) / torch.sqrt(torch.tensor(1.0 + 1e-5))
    assert torch.allclose(bn(y), expected, atol=1e-6)


def test_norm_sets_are_separate_and_exported_by_name():
    torch.manual_seed(0)
    net = SliceableMobileNetV2(out_indices=(7, ), width_mults=(1.0, 3.0),
                               norm_sets=('student', 'teacher')).eval()
    g = torch.Generator().manual_seed(1)
    for m in net.modules():
        if isinstance(m, DynamicBatchNorm2d):
            bn = m.norms['teacher']
            bn.running_mean.copy_(0.1 * torch.randn(bn.num_features,
                                                    generator=g))
            bn.weight.data = 2 * torch.rand(bn.num_features, generator=g)
    x = torch.randn(1, 3, 32, 32)
    net.use_norm_set('student')
    student = net(x)[0]
    net.use_norm_set('teacher')
    assert not torch.allclose(net(x)[0], student)
    plain = net.export(norm_set='student')
    assert torch.allclose(plain(x)[0], student, atol=1e-5)
    with pytest.raises(KeyError, match="no norm set 'other'"):
        net.use_norm_set('other')


def test_bad_arguments_are_refused_with_the_reason():
    with pytest.raises(ValueError, match='out_indices must lie in 0..7'):
        SliceableMobileNetV2(out_indices=(8, ))
    with pytest.raises(ValueError, match='contain 1.0'):
        SliceableMobileNetV2(width_mults=(1.5, 2.0))
    net = SliceableMobileNetV2()
    with pytest.raises(ValueError, match='9 width multipliers and 17'):
        net.set_active(width=[1.0, 1.0], expand=1.0)
    with pytest.raises(ValueError, match='exceed the built'):
        net.set_active(width=1.8)
        net(torch.randn(1, 3, 32, 32))
