-- A private payer that follows CMS: it extends the medicare pack and adds
-- nothing, the proof that inheritance alone is enough.
payer {
  id = "commercial-cms",
  name = "Example commercial payer that follows CMS policy",
  extends = "medicare",
}
