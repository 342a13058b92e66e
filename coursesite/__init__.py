"""What only the site build uses, apart from :mod:`convviz`, the package learners download.

* :mod:`coursesite.build`: ``python -m coursesite.build``, the build ``make html`` runs: the new
  site is written beside the old one and takes its place only when the build succeeds;
* :mod:`coursesite.outputs`: the record of what each figure script read and saved
  (``_generated/figures.json``), and which scripts must run again;
* :mod:`coursesite.recording`: sphinx-gallery's hooks around each figure script, which
  route its saves and note the project files it uses;
* :mod:`coursesite.shared_training`: one training of each network the figure scripts ask
  for, for every process that runs them;
* :mod:`coursesite.imports`: the project modules a script imports, read from the code;
* :mod:`coursesite.figure_records`: the figure record a saved image carries, read back;
* :mod:`coursesite.hashing`: content hashes of files and of the package.
"""
