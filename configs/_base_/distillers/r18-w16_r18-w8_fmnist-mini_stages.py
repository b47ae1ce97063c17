# Mini classification pair (teacher R-18 w16 -> student R-18 w8) for the
# stage-wise methods (FT, AB, FSP, SSKD): a kdbench.StageWiseDistiller whose
# `stages` the method configs set, and the hook that switches them. The
# student's own training keeps the plain student's 3 epochs; a method's
# extra stage (paraphraser, initialisation) comes on top and its config
# header and `budget` say so.
_base_ = ['./r18-w16_r18-w8_fmnist-mini.py']
model = dict(type='kdbench.StageWiseDistiller')
custom_hooks = [
    dict(type='kdbench.TrainingStageHook'),
    dict(type='kdbench.StudentExportHook'),
    dict(type='kdbench.RunResultHook'),
    dict(type='kdbench.RNGStateHook'),
]
