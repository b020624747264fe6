"""The audio CAPTCHA, made harder to match against the ``captcha`` package's own voice files.

The package reads each digit from one bundled recording, only stretched
(nearest-sample, 0.9-1.2x) and scaled, so a script that stretches the ten
files the same way and correlates finds the digits. Here each digit is also
resampled with a wobbling rate (pitch and tempo drift within the digit, so no
single stretch lines up), given a random echo, and the whole recording a
random pitch. A person hears the same digits; the bundled files no longer sit
in the signal sample for sample. It stays the weakest way in, which is why
the proof-of-work is in front of it and device cookies keep the owner's own
browser out of reach of the lock (docs/security.md).
"""

from __future__ import annotations

import math
import secrets

from captcha.audio import AudioCaptcha

_random = secrets.SystemRandom()


def _uniform(low: float, high: float) -> float:
    return _random.uniform(low, high)


def resample_wobbling(body: bytearray, rate: float, depth: float, wobble_hz: float) -> bytearray:
    """Read ``body`` at a rate that drifts around ``rate`` (linear interpolation, 8 kHz)."""
    out = bytearray()
    phase = _uniform(0, 2 * math.pi)
    step = 2 * math.pi * wobble_hz / 8000
    position, last = 0.0, len(body) - 1
    n = 0
    while position < last:
        i = int(position)
        frac = position - i
        out.append(int(body[i] + (body[i + 1] - body[i]) * frac))
        position += rate * (1 + depth * math.sin(phase + step * n))
        n += 1
    return out


def add_echo(body: bytearray, delay: int, gain: float) -> bytearray:
    """Mix in a quieter copy ``delay`` samples later (8-bit unsigned, 128 is silence)."""
    out = bytearray(body) + bytearray([128] * delay)
    for i, value in enumerate(body):
        j = i + delay
        mixed = out[j] + (value - 128) * gain
        out[j] = max(0, min(255, int(mixed)))
    return out


class VariedAudioCaptcha(AudioCaptcha):
    """The package's audio CAPTCHA with each digit distorted at random, per challenge."""

    def __init__(self) -> None:
        super().__init__()
        self._pitch = _uniform(0.85, 1.2)  # one voice height for the whole recording

    def _twist_pick(self, key: str) -> bytearray:
        voice = super()._twist_pick(key)
        voice = resample_wobbling(
            voice, self._pitch * _uniform(0.9, 1.1), _uniform(0.08, 0.14), _uniform(3.0, 7.0)
        )
        return add_echo(voice, _random.randint(120, 360), _uniform(0.25, 0.45))
