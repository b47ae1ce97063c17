"""Classifier head of the tiny-network transfer recipe (NetAug, METHODS
§5.3: dropout 0.2 before the classifier when fine-tuning)."""
from mmpretrain.models import LinearClsHead
from torch import nn

from kdbench.registry import MODELS


@MODELS.register_module()
class DropoutLinearClsHead(LinearClsHead):
    """mmpretrain's ``LinearClsHead`` with dropout (``dropout``, 0.2 as
    NetAug's fine-grained transfer) on the pooled features before the
    linear classifier. ``pre_logits`` stays the features without dropout;
    in eval mode the head is ``LinearClsHead``."""

    def __init__(self, *args, dropout: float = 0.2, **kwargs):
        super().__init__(*args, **kwargs)
        self.dropout = nn.Dropout(dropout)

    def forward(self, feats):
        return self.fc(self.dropout(self.pre_logits(feats)))
