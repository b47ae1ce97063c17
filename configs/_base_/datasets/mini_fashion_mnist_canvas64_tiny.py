# The tiny track's items-on-canvas data (mini_fashion_mnist_canvas64.py)
# with the protocol's three disjoint splits, fixed for every run:
#   train       the first `train_subset` training items (5k), each drawn
#               on a new random canvas every time it is loaded (5k, not
#               10k, halves the cost of the tiny suite's 80 runs: 7 tuned
#               rows x 5 lrs + 9 rows x 5 seeds, most of them NetAug /
#               NetDistiller runs at ~4x the plain step on a CPU; a new
#               canvas per load keeps the plain network far from fitting
#               its items);
#   validation  training items `val_range` (2k, never trained on by the
#               tiny networks), each on the canvas its index seeds: the val
#               loop, the learning curves and the benchmark runner's
#               tuning grid;
#   test        all 10k test items, each on the canvas its index seeds:
#               evaluated once after training, the leaderboard's number
#               (`test_after_train=True`; 10k rather than 2k images halves
#               the binomial noise of the score, ~0.5 instead of ~1.1
#               points at 65 % top-1).
# The ResNet-18 teacher of the `*_kd` methods is the mini backbone
# pretraining, which trained on all 60k training items: it has seen the
# validation items (not the test items); the students never see them.
_base_ = ['./mini_fashion_mnist_canvas64.py']

train_subset = 5000
val_range = (55000, 57000)
test_subset = 10000

train_dataloader = dict(dataset=dict(indices=train_subset))
val_dataloader = dict(
    dataset=dict(split='train', test_mode=False, indices=None,
                 index_range=val_range))
test_dataloader = dict(dataset=dict(indices=test_subset))
