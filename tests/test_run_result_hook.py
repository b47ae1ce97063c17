"""RunResultHook's prediction count (what the runner needs to tell 'no box
predicted' from a broken evaluation)."""
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData

from kdbench.engine.hooks import RunResultHook


def _sample(num_boxes):
    sample = DetDataSample()
    sample.pred_instances = InstanceData(
        bboxes=torch.zeros(num_boxes, 4), scores=torch.zeros(num_boxes),
        labels=torch.zeros(num_boxes, dtype=torch.long))
    return sample


def test_counts_predicted_instances_per_validation():
    hook = RunResultHook()
    hook.before_val_epoch(None)
    hook.after_val_iter(None, 0, outputs=[_sample(0), _sample(3)])
    hook.after_val_iter(None, 1, outputs=[_sample(2)])
    assert hook._predicted == 5
    hook.before_val_epoch(None)  # a new validation starts from zero
    hook.after_val_iter(None, 0, outputs=[_sample(0), _sample(0)])
    assert hook._predicted == 0
    # classification outputs have no pred_instances: nothing is counted
    hook.before_val_epoch(None)
    hook.after_val_iter(None, 0, outputs=[DetDataSample()])
    assert hook._predicted is None


def test_counts_test_split_predictions_apart_from_validation():
    """test_after_train evaluates the test split after the last
    validation: its count is its own, the validation's is kept."""
    hook = RunResultHook()
    hook.before_val_epoch(None)
    hook.after_val_iter(None, 0, outputs=[_sample(4)])
    hook.before_test_epoch(None)
    hook.after_test_iter(None, 0, outputs=[_sample(0), _sample(0)])
    assert (hook._predicted, hook._test_predicted) == (4, 0)
    hook.after_test_iter(None, 1, outputs=[_sample(1)])
    assert (hook._predicted, hook._test_predicted) == (4, 1)
