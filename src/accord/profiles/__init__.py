"""Customer profiles: dimensions declared in ``accord.yaml`` compiled to sqlglot and built in
the analytical store as ``profiles`` (one row per customer) and ``profiles_monthly``."""

from accord.profiles.build import ProfilesReport, plan_profiles, run_profiles
from accord.profiles.defaults import default_dimensions
from accord.profiles.dimensions import ProfileDefinitionError
from accord.profiles.query import ProfilePlan, compile_profiles

__all__ = ["ProfileDefinitionError", "ProfilePlan", "ProfilesReport", "compile_profiles",
           "default_dimensions", "plan_profiles", "run_profiles"]
