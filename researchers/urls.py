app_name = "researchers"

urlpatterns = []
