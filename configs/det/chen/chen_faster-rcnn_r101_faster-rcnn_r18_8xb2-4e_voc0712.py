# Chen et al. 2017, all terms (method id `chen`), METHODS.md §3.1: RPN and
# RCN soft classification (μ = 0.5, w0 = 1.5, T = 1), teacher-bounded L2
# (ν = 0.5, m = 0), hint on backbone C4 through a 1x1 conv + BN adapter
# (γ = 0.5; HintLoss is ½·MSE, so loss_weight = 2γ). μ, ν, m unconfirmed by
# the paper: the values reimplementations use.
_base_ = ['../../_base_/distillers/faster-rcnn_r101_faster-rcnn_r18_voc0712.py']
model = dict(
    cls=dict(
        mu=0.5,
        rpn=dict(type='kdbench.WeightedSoftBCELoss', background_weight=1.5,
                 tau=1.0),
        rcn=dict(type='kdbench.WeightedSoftCELoss', background_weight=1.5,
                 background_index=-1, tau=1.0)),
    reg=dict(
        rpn=dict(type='kdbench.TeacherBoundedL2Loss', margin=0.0,
                 loss_weight=0.5),
        rcn=dict(type='kdbench.TeacherBoundedL2Loss', margin=0.0,
                 loss_weight=0.5)),
    distill_losses=dict(
        hint=dict(type='kdbench.HintLoss', loss_weight=1.0, reduction='mean',
                  student='backbone.layer3', teacher='backbone.layer3',
                  connector=dict(type='kdbench.ConvAdapter'))))
