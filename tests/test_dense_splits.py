"""Every mini suite's configs validate on a split disjoint from the one the
table reports (the protocol's three splits), and every mini suite says
so (``validation_split = True``), so the runner never reads a validation
metric as the test result."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from conftest import REPO


def _configs(*patterns):
    return sorted(osp.relpath(p, REPO) for pattern in patterns
                  for p in glob.glob(osp.join(REPO, pattern)))


DENSE = _configs('configs/det/*/*mini.py', 'configs/seg/*/*mini.py',
                 'configs/transfer/det/*mini.py',
                 'configs/transfer/seg/*mini.py')
TINY = _configs('configs/tiny/*/*mini.py')


def _where(dataset: dict) -> str:
    """What a dataset dict reads: its annotation file / image set and
    image folder."""
    if dataset.get('type') == 'ConcatDataset':
        return ' '.join(_where(d) for d in dataset['datasets'])
    return f"{dataset.get('ann_file', '')} {dataset.get('data_prefix', {})}"


@pytest.mark.parametrize('path', DENSE)
def test_dense_configs_validate_on_holdout_and_test_on_the_test_split(path):
    cfg = Config.fromfile(osp.join(REPO, path))
    val, test = (_where(cfg[k].dataset) for k in
                 ('val_dataloader', 'test_dataloader'))
    train = _where(cfg.train_dataloader.dataset)
    assert 'holdout' in val and 'holdout' not in test and \
        'holdout' not in train, (val, test)
    assert val != test
    if 'coco' in path:
        assert 'instances_val2017.json' in test
        assert cfg.val_evaluator.ann_file.endswith(
            'instances_holdout2017.json')
        assert cfg.test_evaluator.ann_file.endswith(
            'instances_val2017.json')
    elif 'voc' in path:
        assert 'VOC2007/ImageSets/Main/test.txt' in test
    else:
        assert 'leftImg8bit/val' in test


@pytest.mark.parametrize('path', TINY)
def test_tiny_configs_validate_on_held_out_training_items(path):
    cfg = Config.fromfile(osp.join(REPO, path))
    train, val, test = (cfg[k].dataset for k in (
        'train_dataloader', 'val_dataloader', 'test_dataloader'))
    assert (train.split, train.indices) == ('train', 5000)
    start, stop = val.index_range
    assert val.split == 'train' and start >= train.indices and \
        stop <= 60000 and not val.get('test_mode')
    assert (test.split, test.test_mode, test.indices) == ('test', True,
                                                          10000)


def test_every_mini_suite_has_a_validation_split():
    suites = _configs('configs/benchmarks/*_mini.py')
    assert len(suites) == 8
    for path in suites:
        suite = Config.fromfile(osp.join(REPO, path))
        assert suite.get('validation_split') is True, path


def test_transfer_tasks_get_the_suite_protocol(tmp_path):
    from kdbench.leaderboard.transfer import TransferRunner
    runner = TransferRunner(
        osp.join(REPO, 'configs/benchmarks/transfer_mini.py'),
        records_path=str(tmp_path / 'r.jsonl'), work_root=str(tmp_path))
    for task in runner.tasks:
        task_runner = runner.task_runner(task)
        assert task_runner.validation_split, task
        assert (task_runner.threads, task_runner.jobs,
                task_runner.paired) == (1, 2, True), task
        # the budget-matched reference of the pretraining suite holds
        assert task_runner.reference('netdistiller') == 'baseline_20e'
        assert task_runner.reference('kd') == 'baseline'
        assert task_runner.reference('baseline_20e') is None
