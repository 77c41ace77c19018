"""Labels on member objects: checks as Kubernetes makes them (`selectors`), LabelPolicy rules (`policy`) and a
policy checked against one member (`compliance`)."""
