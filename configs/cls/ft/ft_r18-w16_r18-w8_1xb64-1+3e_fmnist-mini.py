# Factor Transfer (method id `ft`), METHODS.md §1.4, Kim et al. NeurIPS
# 2018: stage 1 trains only the paraphraser on the teacher's last-stage
# feature (reconstruction, unsupervised; the student does not run); stage 2
# trains the student and its translator with CE + β/2·‖F_T/‖F_T‖ −
# F_S/‖F_S‖‖_1, the paraphraser frozen in eval mode. Rate k = 0.5 (factor
# 64 ch from the teacher's 128), p = 1. Loss weight β/2 = 0.5 (see
# kdbench.FactorTransferLoss: the official code's 500 × mean-L1 at this
# factor size). Budget: 1 epoch paraphraser (teacher forwards only) + the
# baseline's 3 epochs.
_base_ = ['../../_base_/distillers/r18-w16_r18-w8_fmnist-mini_stages.py']
budget = '1 ep paraphraser + 3 ep student'
model = dict(
    distill_losses=dict(
        ft=dict(type='kdbench.FactorTransferLoss', factor=0.5, p=1,
                loss_weight=0.5, student='backbone.layer4',
                teacher='backbone.layer4',
                connector=dict(type='kdbench.FactorTranslator', factor=0.5))),
    stages=[
        dict(name='paraphraser', end=1, losses=['ft'], task_loss=False,
             loss_phases=dict(ft='paraphrase'),
             trainable=['distill_losses.ft.paraphraser']),
        dict(name='transfer', end=4, losses=['ft'],
             loss_phases=dict(ft='transfer'),
             trainable=['student', 'connectors.ft']),
    ])
max_epochs = 4
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
# one cosine cycle per stage (the student stage restarts at the base lr)
param_scheduler = [
    dict(type='CosineRestartLR', periods=[1, 3], restart_weights=[1, 1],
         eta_min=1e-3, by_epoch=True, convert_to_iter_based=True),
]
