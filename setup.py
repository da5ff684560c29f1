"""Packages of the wheel: every package under caravan/ (found, never listed by hand), plus the
built-in data, which lives in data/ at the top of the repository and is installed as
caravan/data/ (see caravan/folders.py). The rest of the metadata is in setup.cfg."""

from setuptools import find_packages, setup

DATA_PACKAGES = ["caravan.data", "caravan.data.geo", "caravan.data.sample", "caravan.data.holidays"]

setup(packages=[*find_packages(include=["caravan", "caravan.*"]), *DATA_PACKAGES])
