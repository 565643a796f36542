"""What every stage shares: the course's layout and configuration, nbgrader's API and gradebook, status records, atomic writes, the instructor's policy and file sharing."""
