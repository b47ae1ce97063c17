# KD with the teacher's inference in bfloat16 (method id `kd_bf16`): the
# `kd` recipe, the teacher's forward under CPU bf16 autocast
# (teacher_precision='bf16'), the losses still in fp32. Its row measures
# the accuracy cost (Δ to `kd`) and the step-time gain of the cheaper
# teacher. (teacher_channels_last=True is the other switch; on the mini
# suite's 1-channel images it changes only the inner layers' format.)
_base_ = ['./kd_r18-w16_r18-w8_1xb64-3e_fmnist-mini.py']
model = dict(teacher_precision='bf16')
