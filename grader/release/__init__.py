"""From solutions to what students get: answer keys, the student release, the solution's self-check, the published student repository."""
