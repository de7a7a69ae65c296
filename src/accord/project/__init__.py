"""Accord projects: ``accord.yaml`` and the state folder ``.accord/``."""

from accord.project.config import ENTITY_FIELDS, ENTITY_TIME, Entity, Project
from accord.project.loader import PROJECT_FILE, ProjectConfigError, load_project, parse_project

__all__ = ["ENTITY_FIELDS", "ENTITY_TIME", "PROJECT_FILE", "Entity", "Project",
           "ProjectConfigError", "load_project", "parse_project"]
