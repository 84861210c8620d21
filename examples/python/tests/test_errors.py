"""calsync.errors: every status code of calsync.h has its exception class, carrying the
code; codes newer than the binding still raise the base class with their number."""
import pickle
import unittest

import calsync
from calsync.errors import error_for


class ErrorMappingTest(unittest.TestCase):
    def test_each_code_has_its_own_subclass_carrying_it(self):
        classes = set()
        for code in calsync.StatusCode:
            if code in (calsync.StatusCode.OK, calsync.StatusCode.ERROR):
                continue
            error = error_for(int(code), "what went wrong")
            self.assertIsNot(type(error), calsync.CalsyncError, code)
            self.assertIsInstance(error, calsync.CalsyncError)
            self.assertIs(error.code, code)
            classes.add(type(error))
        self.assertEqual(len(classes), len(calsync.StatusCode) - 2)

    def test_named_classes(self):
        for code, cls in ((-8, calsync.AuthError), (-12, calsync.NotFoundError),
                          (-13, calsync.ConflictError), (-11, calsync.RateLimitError),
                          (-9, calsync.NetworkError), (-14, calsync.PendingError),
                          (-15, calsync.LeaseLostError)):
            self.assertIs(type(error_for(code, "m")), cls)

    def test_generic_and_unknown_codes(self):
        generic = error_for(-1, "store failed")
        self.assertIs(type(generic), calsync.CalsyncError)
        self.assertEqual(generic.code, calsync.StatusCode.ERROR)
        future = error_for(-99, "a newer library")
        self.assertIs(type(future), calsync.CalsyncError)
        self.assertEqual(future.code, -99)
        self.assertEqual(str(future), "a newer library (calsync status -99, unknown)")

    def test_text_code_and_pickling(self):
        error = error_for(-8, "sign-in refused by the server")
        self.assertEqual(str(error), "sign-in refused by the server (calsync status -8, EAUTH)")
        self.assertEqual(error.status, -8)  # the first binding's name for the code
        again = pickle.loads(pickle.dumps(error))
        self.assertIs(type(again), calsync.AuthError)
        self.assertEqual((again.code, again.message), (error.code, error.message))

    def test_server_detail_survives_pickling(self):
        error = error_for(-11, "HTTP 429", http_status=429, retry_after=120)
        again = pickle.loads(pickle.dumps(error))
        self.assertIs(type(again), calsync.RateLimitError)
        self.assertEqual((again.http_status, again.retry_after), (429, 120))

    def test_raised_by_the_library(self):
        with self.assertRaises(calsync.InvalidArgumentError) as caught:
            calsync.free_slots({"busy": [], "within": {"start": "2026-03-01T00:00:00Z",
                                                       "end": "2026-03-02T00:00:00Z"},
                                "duration_seconds": 0, "step_seconds": 60})
        self.assertEqual(caught.exception.code, calsync.StatusCode.EINVAL)
        self.assertIn("duration_seconds", caught.exception.message)


if __name__ == "__main__":
    unittest.main()
