# Factor Transfer on ImageNet-1k, ResNet-34 -> ResNet-18 (METHODS.md §1.4):
# 10 epochs of paraphraser training on the teacher's layer4 (512 -> factor
# 256 ch, k = 0.5; our length, mmrazor's CIFAR recipe uses 20 of 220), then
# the standard 100-epoch recipe with CE + β/2·‖·‖_1 on the normalised
# factors, p = 1. Weight: the official code's β = 500 on a *mean* L1 equals
# 500 / (factor elements) on our per-sample sum: 500 / (256·7·7) ≈ 0.04
# [β not re-verified]. The paraphraser stage runs at the base lr 0.1.
_base_ = ['../../_base_/distillers/r34_r18_in1k_stages.py']
budget = '10 ep paraphraser + 100 ep student'
model = dict(
    distill_losses=dict(
        ft=dict(type='kdbench.FactorTransferLoss', factor=0.5, p=1,
                loss_weight=0.04, student='backbone.layer4',
                teacher='backbone.layer4',
                connector=dict(type='kdbench.FactorTranslator', factor=0.5))),
    stages=[
        dict(name='paraphraser', end=10, losses=['ft'], task_loss=False,
             loss_phases=dict(ft='paraphrase'),
             trainable=['distill_losses.ft.paraphraser']),
        dict(name='transfer', end=110, losses=['ft'],
             loss_phases=dict(ft='transfer'),
             trainable=['student', 'connectors.ft']),
    ])
train_cfg = dict(max_epochs=110)
param_scheduler = dict(type='MultiStepLR', by_epoch=True, begin=10, end=110,
                       milestones=[30, 60, 90], gamma=0.1)
