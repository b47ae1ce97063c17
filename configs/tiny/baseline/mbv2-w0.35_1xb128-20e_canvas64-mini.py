# Plain tiny network trained twice as long (method id `baseline_20e`): the
# matched-budget baseline of the NetDistiller rows that use
# uncertainty-aware distillation (20 epochs, the paper's 2x schedule).
_base_ = [
    '../../_base_/models/mbv2-w0.35_canvas.py',
    '../../_base_/datasets/mini_fashion_mnist_canvas64_tiny.py',
    '../../_base_/schedules/mini_tiny_20e.py',
    '../../_base_/cls_runtime.py',
]
budget = '20 ep (plain student)'
