"""Culture surveys: the instrument and its response files (``instrument``), scores, the
anonymity rule, reliability, wave-to-wave changes, drivers of advocacy and adoption,
participation and measured productivity recapture.

May import: ``roi.io``, ``roi.core``, ``roi.uncertainty``."""
