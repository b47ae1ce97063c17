# KD from a teacher-output cache (method id `kd_cached`): the `kd` recipe
# (T = 4, KD weight 0.9, CE weight 0.1) with the teacher's logits read from
# a cache that tools/cache_teacher.py builds once (all 10 classes kept,
# 3 epochs of views) instead of a teacher forward per batch. The views are
# replayed from per-(epoch, sample) seeds (kdbench.ViewReplayDataset, seed
# 0) in the order of kdbench.EpochIndexSampler; a run of any seed reads
# the same cache (its seed still sets the student's initialisation and the
# data order).
#   python tools/cache_teacher.py configs/cls/kd/kd-cached_r18-w16_r18-w8_1xb64-3e_fmnist-mini.py
_base_ = ['./kd_r18-w16_r18-w8_1xb64-3e_fmnist-mini.py']
model = dict(
    type='kdbench.CachedTeacherDistiller',
    teacher_cache='work_dirs/teacher_cache/r18-w16_fmnist-mini_3e_seed0')
train_dataloader = dict(
    dataset=dict(_delete_=True, type='kdbench.ViewReplayDataset', seed=0,
                 dataset={{_base_.train_dataloader.dataset}}),
    sampler=dict(type='kdbench.EpochIndexSampler'))
custom_hooks = [dict(type='kdbench.TeacherCacheHook')]
