"""What every command starts from: the config file and the baselines it names.

Kept apart from daemon.py so that one-shot commands (``once``, ``scan``, ``check``) do not
import the scheduler and the web server they never use.
"""

from __future__ import annotations

from pathlib import Path

from claimwatch.baselines import Baseline, load_baselines
from claimwatch.config import Config, load_config


def load_inputs(path: Path) -> tuple[Config, tuple[Baseline, ...]]:
    """The config and every baseline it names; raises InputError (ConfigError/BaselineError)."""
    config = load_config(path)
    return config, load_baselines(config.baselines)
