# Ablation of NetDistiller (method id `netdistiller_no_gs`), the paper's
# Table 3: netdistiller_* without gradient surgery (the teacher's and the
# student's gradients are summed as they are), UD on, 20 epochs; compared
# with `baseline_20e`.
_base_ = ['./netdistiller_mbv2-w0.35_1xb128-20e_canvas64-mini.py']
model = dict(gradient_surgery=False)
