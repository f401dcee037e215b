"""PI check-ins: program-increment objectives, confidence votes, weekly status, risks, predictability."""
