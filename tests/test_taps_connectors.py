"""Taps (module paths, tuple outputs, in-place detection) and connectors."""
import pytest
import torch
from torch import nn

import kdbench  # noqa: F401
from kdbench.connectors import ConvAdapter, Resize, infer_out_channels
from kdbench.recorders import (ModuleOutputRecorder, TapError,
                               closest_module_paths, parse_tap)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1),
                                  nn.BatchNorm2d(4), nn.ReLU(inplace=True))
        self.split = Split()
        self.bn = nn.BatchNorm2d(4)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x):
        a, b = self.split(self.body(x))
        return self.act(self.bn(a)) + b


class Split(nn.Module):
    def forward(self, x):
        return x, x * 2


def test_parse_tap():
    assert parse_tap('backbone.layer3') == ('backbone.layer3', None)
    assert parse_tap('neck[1]') == ('neck', 1)
    assert parse_tap('neck[-1]') == ('neck', -1)
    for bad in ('', 'a..b[', 'neck[x]', 3):
        with pytest.raises(TapError, match='not a module path'):
            parse_tap(bad)


def test_unknown_path_lists_closest():
    with pytest.raises(TapError) as err:
        ModuleOutputRecorder(Net(), ['body.3'], 'student')
    assert "'body.0'" in str(err.value) and 'student' in str(err.value)
    assert 'body.2' in closest_module_paths(Net(), 'body.22')


def test_records_only_inside_recording_and_indexes_tuples():
    net = Net()
    rec = ModuleOutputRecorder(net, ['split[1]', 'body'], 'teacher')
    x = torch.randn(2, 3, 5, 5)
    net(x)
    with rec.recording():
        with pytest.raises(TapError, match='did not run'):
            rec.get('body')
        net(x)
        body = rec.get('body')
        assert torch.equal(rec.get('split[1]'), body * 2)
        with pytest.raises(TapError, match=r'returns 2 outputs.*split\[0\]'):
            rec.get('split')
        with pytest.raises(TapError, match='out of range'):
            rec.get('split[2]')
        with pytest.raises(TapError, match='drop the index'):
            rec.get('body[0]')
    with pytest.raises(TapError, match='did not run'):
        rec.get('body')
    rec.remove()


def test_in_place_modified_output_is_refused():
    net = Net()
    rec = ModuleOutputRecorder(net, ['bn'], 'student')
    with rec.recording():
        net(torch.randn(2, 3, 5, 5))
        with pytest.raises(TapError, match='modified in place'):
            rec.get('bn')


def test_infer_out_channels():
    from mmpretrain.models.backbones import ResNet_CIFAR
    backbone = ResNet_CIFAR(depth=18, in_channels=1, stem_channels=8,
                            base_channels=8)
    assert [infer_out_channels(getattr(backbone, f'layer{i}'))
            for i in range(1, 5)] == [8, 16, 32, 64]
    assert infer_out_channels(nn.Linear(3, 7)) == 7
    seq = nn.Sequential(nn.Conv2d(3, 5, 1), nn.GroupNorm(1, 5), nn.ReLU())
    assert infer_out_channels(seq) == 5
    assert infer_out_channels(nn.ReLU()) is None


def test_connectors():
    adapter = ConvAdapter(4, 6)
    assert adapter(torch.randn(2, 4, 3, 3)).shape == (2, 6, 3, 3)
    with pytest.raises(ValueError, match='in_channels and out_channels'):
        ConvAdapter()
    resize = Resize()
    out = resize(torch.randn(2, 4, 3, 3), torch.randn(2, 9, 6, 6))
    assert out.shape == (2, 4, 6, 6)
    x = torch.randn(2, 4, 6, 6)
    assert resize(x, torch.randn(2, 1, 6, 6)) is x  # no copy when equal


def test_module_run_twice_is_refused_unless_the_model_says_last():
    class SharedTwice(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x):
            return self.fc(torch.relu(self.fc(x)))  # one module, 2 calls

    model, x = SharedTwice(), torch.randn(2, 3)
    recorder = ModuleOutputRecorder(model, ['fc'], 'student')
    with recorder.recording():
        model(x)
        with pytest.raises(TapError, match='ran 2 times in one forward'):
            recorder.get('fc')
    last = ModuleOutputRecorder(model, ['fc'], 'student', repeats='last')
    with last.recording():
        out = model(x)
        assert torch.equal(last.get('fc'), out)  # the second call's output
    with recorder.recording():  # counts restart with every recording
        model.fc(x)
        assert recorder.get('fc').shape == (2, 3)
    with pytest.raises(ValueError, match='repeats must be one of'):
        ModuleOutputRecorder(model, ['fc'], 'student', repeats='first')
