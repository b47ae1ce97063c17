"""Bring MobileNetV2 weights trained by the official NetAug code
(mit-han-lab/tinyml, ``netaug/models/base/mbv2.py``) into kdbench's
``SliceableMobileNetV2`` + mmpretrain ``LinearClsHead`` classifier."""
import re
from typing import Dict

import torch

# official module path -> kdbench module path; a ConvLayer's ``conv`` /
# ``norm`` become ConvBN's ``conv`` / ``bn.norms.default``
_BLOCK_PARTS = {'inverted_conv': 'expand', 'depth_conv': 'depthwise',
                'point_conv': 'project'}
_PATTERNS = [
    (r'backbone\.input_stem\.op_list\.0\.', 'backbone.conv1.'),
    (r'backbone\.input_stem\.op_list\.1\.conv\.(depth_conv|point_conv)\.',
     lambda m: f'backbone.layer1.0.{_BLOCK_PARTS[m.group(1)]}.'),
    (r'backbone\.stages\.(\d+)\.op_list\.(\d+)\.conv\.'
     r'(inverted_conv|depth_conv|point_conv)\.',
     lambda m: f'backbone.layer{int(m.group(1)) + 2}.{m.group(2)}.'
     f'{_BLOCK_PARTS[m.group(3)]}.'),
    (r'head\.op_list\.0\.conv\.(inverted_conv|depth_conv|point_conv)\.',
     lambda m: f'backbone.layer7.0.{_BLOCK_PARTS[m.group(1)]}.'),
    (r'head\.op_list\.1\.', 'backbone.conv2.'),
    (r'head\.op_list\.3\.linear\.', 'head.fc.'),
]


class UnknownKeyError(KeyError):
    pass


def convert_netaug_mbv2(state: Dict[str, torch.Tensor]
                        ) -> Dict[str, torch.Tensor]:
    """Rename an official NetAug MobileNetV2 state dict (``module.``
    prefixes allowed) to kdbench's classifier keys (``backbone.*`` of
    ``kdbench.SliceableMobileNetV2``, ``head.fc.*``). A key that matches no
    rule is an error naming it."""
    out = {}
    for key, value in state.items():
        key = key[len('module.'):] if key.startswith('module.') else key
        for pattern, repl in _PATTERNS:
            new, hits = re.subn('^' + pattern, repl, key)
            if hits:
                break
        else:
            raise UnknownKeyError(
                f'{key!r} is not a parameter of the official NetAug '
                f'MobileNetV2 (netaug/models/base/mbv2.py); is this a '
                f'MobileNetV2 checkpoint of that code?')
        if not new.startswith('head.fc.'):
            new = re.sub(r'\.norm\.', '.bn.norms.default.', new)
        out[new] = value
    return out
