"""The coordinator's side of grading a class: tasks out to worker processes (or a Dask cluster), results merged back by one writer."""
