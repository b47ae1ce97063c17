# DKD with logit standardisation from a teacher-output cache (method id
# `dkd_ls_cached`): the `dkd_ls` recipe with the teacher's logits read from the
# cache tools/cache_teacher.py builds once, instead of a teacher forward per
# batch (see kd-cached_*.py: the views replay from per-(epoch, sample) seeds;
# all 10 classes kept).
#   python tools/cache_teacher.py configs/cls/dkd/dkd-ls-cached_r18-w16_r18-w8_1xb64-3e_fmnist-mini.py
_base_ = ['./dkd-ls_r18-w16_r18-w8_1xb64-3e_fmnist-mini.py']
model = dict(
    type='kdbench.CachedTeacherDistiller',
    teacher_cache='work_dirs/teacher_cache/r18-w16_fmnist-mini_3e_seed0')
train_dataloader = dict(
    dataset=dict(_delete_=True, type='kdbench.ViewReplayDataset', seed=0,
                 dataset={{_base_.train_dataloader.dataset}}),
    sampler=dict(type='kdbench.EpochIndexSampler'))
custom_hooks = [dict(type='kdbench.TeacherCacheHook')]
