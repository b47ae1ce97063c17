# Where the full-scale transfer configs load the tiny backbone from: an
# ImageNet r160 pretraining run's weights.pth (the deployed classifier's
# 'backbone.' tensors). tools/transfer.py points `checkpoint` at each
# pretraining method's run of configs/benchmarks/tiny_in1k.py; the default
# is the plain baseline's seed-0 run. A variable, not `model`, so that
# model bases and this file can be combined:
#   model = dict(backbone=dict(init_cfg={{_base_.tiny_in1k_init}}))
tiny_in1k_init = dict(
    checkpoint='work_dirs/benchmarks/tiny_in1k/baseline/seed0/weights.pth',
    made_by='configs/tiny/baseline/mbv2-w0.35_16xb128-150e_in1k-r160.py')
