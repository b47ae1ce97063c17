"""Which anchor locations a detection distillation term covers.

Flat anchors are in mmdet's order: levels concatenated, each level in
(H, W, anchors-per-location) order, exactly as ``AnchorGenerator`` and the
dense heads' ``get_targets`` lay them out.
"""
from typing import List, Optional, Tuple

import torch
from mmdet.structures.bbox import bbox_overlaps


def diou(boxes: torch.Tensor, gts: torch.Tensor,
         iou: Optional[torch.Tensor] = None,
         eps: float = 1e-7) -> torch.Tensor:
    """Distance-IoU (Zheng et al., AAAI 2020) of every box with every ground
    truth, (num_boxes, num_gts): IoU − ρ²/c², ρ the distance of the centres,
    c the diagonal of the smallest enclosing box (``iou``: the IoU matrix,
    if already computed)."""
    if iou is None:
        iou = bbox_overlaps(boxes, gts)
    centre_b = (boxes[:, None, :2] + boxes[:, None, 2:]) / 2
    centre_g = (gts[None, :, :2] + gts[None, :, 2:]) / 2
    rho2 = (centre_b - centre_g).pow(2).sum(-1)
    lt = torch.minimum(boxes[:, None, :2], gts[None, :, :2])
    rb = torch.maximum(boxes[:, None, 2:], gts[None, :, 2:])
    c2 = (rb - lt).pow(2).sum(-1) + eps
    return iou - rho2 / c2


def atss_thresholds(anchors: torch.Tensor, num_level_anchors: List[int],
                    gts: torch.Tensor, topk: int = 9,
                    iou: Optional[torch.Tensor] = None) -> torch.Tensor:
    """ATSS's per-ground-truth IoU threshold t_pos (Zhang et al., CVPR 2020,
    as mmdet's ``ATSSAssigner``): on each level the ``topk`` anchors whose
    centres are closest to the box centre are candidates; t_pos is the mean
    plus the (unbiased) std of the candidates' IoU. Returns (num_gts,)."""
    if iou is None:
        iou = bbox_overlaps(anchors, gts)
    centre_a = (anchors[:, :2] + anchors[:, 2:]) / 2
    centre_g = (gts[:, :2] + gts[:, 2:]) / 2
    distances = torch.cdist(centre_a, centre_g)
    candidates = []
    start = 0
    for count in num_level_anchors:
        k = min(topk, count)
        _, idx = distances[start:start + count].topk(k, dim=0, largest=False)
        candidates.append(idx + start)
        start += count
    candidate_idx = torch.cat(candidates, 0)  # (k * levels, num_gts)
    candidate_iou = iou.gather(0, candidate_idx)
    return candidate_iou.mean(0) + candidate_iou.std(0)


def valuable_localization_region(anchors: torch.Tensor,
                                 num_level_anchors: List[int],
                                 gts: torch.Tensor, alpha: float = 0.25,
                                 topk: int = 9
                                 ) -> Tuple[torch.Tensor, torch.Tensor]:
    """LD's valuable localization region (Zheng et al., CVPR 2022, §3.3;
    METHODS §3.2) of one image: anchors on any level whose DIoU with a
    ground truth lies in [α·t_pos, t_pos), t_pos that box's ATSS threshold.

    Returns ``(mask, weight)`` over the anchors: ``weight`` is the IoU with
    the matched box (among the boxes whose band an anchor falls in, the
    one with the highest DIoU), 0 outside the region. Anchors of the main
    region are not excluded (a positive whose DIoU is below its t_pos is in
    both; the paper's rule has no exclusion).
    """
    if gts.numel() == 0:
        zeros = anchors.new_zeros(anchors.shape[0])
        return zeros.bool(), zeros
    iou = bbox_overlaps(anchors, gts)
    t_pos = atss_thresholds(anchors, num_level_anchors, gts, topk, iou)
    d = diou(anchors, gts, iou)
    in_band = (d >= alpha * t_pos[None]) & (d < t_pos[None])
    banded = d.masked_fill(~in_band, float('-inf'))
    best, gt_idx = banded.max(1)
    mask = torch.isfinite(best)
    matched = iou.gather(1, gt_idx[:, None])[:, 0]
    return mask, torch.where(mask, matched, torch.zeros_like(matched))


def centres_inside_boxes(anchors: torch.Tensor,
                         gts: torch.Tensor) -> torch.Tensor:
    """Anchors whose centre lies inside any ground-truth box (the inside-GT
    mask of feature imitation, METHODS §3.3); bool (num_anchors,)."""
    if gts.numel() == 0:
        return anchors.new_zeros(anchors.shape[0], dtype=torch.bool)
    cx = (anchors[:, 0] + anchors[:, 2]) / 2
    cy = (anchors[:, 1] + anchors[:, 3]) / 2
    inside = ((cx[:, None] >= gts[None, :, 0]) &
              (cx[:, None] <= gts[None, :, 2]) &
              (cy[:, None] >= gts[None, :, 1]) &
              (cy[:, None] <= gts[None, :, 3]))
    return inside.any(1)
