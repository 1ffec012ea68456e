def validate(*a, **k): pass
class SignatureReport: pass
class ValidationReport: pass
