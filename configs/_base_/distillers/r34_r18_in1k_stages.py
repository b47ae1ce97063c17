# ImageNet-1k pair (ResNet-34 -> ResNet-18) for the stage-wise methods (FT,
# AB, FSP, SSKD): a kdbench.StageWiseDistiller whose `stages` the method
# configs set, and the hook that switches them. Method configs extend the
# 100-epoch recipe by their extra stage and say so.
_base_ = ['./r34_r18_in1k.py']
model = dict(type='kdbench.StageWiseDistiller')
custom_hooks = [
    dict(type='kdbench.TrainingStageHook'),
    dict(type='kdbench.StudentExportHook'),
    dict(type='kdbench.RunResultHook'),
    dict(type='kdbench.RNGStateHook'),
]
