"""Line-item drivers of a business case: the shared base (``base``), benefit drivers
(``benefits``), cost drivers (``costs``) and the infrastructure driver, serverless or
provisioned (``infrastructure``), and usage-billed licences (``licences``). A new driver is
registered in ``BENEFIT_DRIVERS`` or ``COST_DRIVERS`` and its union.

May import: ``roi.io`` and the rest of ``roi.core`` below the case model."""
