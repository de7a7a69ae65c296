"""Segments: FEEL conditions over profiles compiled to SQL membership, with counts,
overlaps and a segment's profile against the whole base."""

from accord.segments.analysis import (
    Overlap,
    SegmentCount,
    SegmentProfile,
    overlap_matrix,
    profile_segment,
    segment_counts,
)
from accord.segments.build import SegmentDefinitionError, SegmentsReport, run_segments

__all__ = ["Overlap", "SegmentCount", "SegmentDefinitionError", "SegmentProfile",
           "SegmentsReport", "overlap_matrix", "profile_segment", "run_segments",
           "segment_counts"]
