"""Culture surveys: the instrument and its response files (``instrument``), the scores
(``scores``), the anonymity rule every figure passes (``anonymity``), reliability, wave-to-wave
changes (``waves``), drivers of advocacy and adoption, participation, measured productivity
recapture, and the survey report that gathers them (``report``).

May import: ``roi.io``, ``roi.core``, ``roi.uncertainty``."""
