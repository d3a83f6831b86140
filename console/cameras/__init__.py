"""A branch's cameras as the application sees them: the counting pipeline set up from a stored camera, camera
passwords, the headless worker, and the evaluation against recorded footage. No Qt."""
